import { randomUUID } from "node:crypto";
import os from "node:os";
import { withDeadline } from "@lakebase-orders/lakebase-api";
import type pg from "pg";
import type { OperationView } from "../admin/types.ts";

/** This process, as the journal names lease holders: a restarted process is a different owner. */
export const PROCESS_OWNER = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export interface JournalRow {
  id: string;
  instanceName: string;
  kind: OperationView["kind"];
  actor: string;
  owner: string;
  startedAt: string;
  step: string;
  finishedAt: string | null;
  outcome: OperationView["outcome"];
  error: string | null;
  /** The holder renewed its lease recently enough (by the database's clock). */
  live: boolean;
}

export type ClaimResult =
  | { claimed: true }
  | { claimed: false; holder: JournalRow }
  | { claimed: false; holder: null };

/**
 * The operation journal in the app's database (`app_data.lakebase_operation`), shared by every process of
 * the app: a running row is the lease on the instance's lifecycle, renewed by its holder; one running row
 * per instance at most (a partial unique index). Lease times use the database's clock, so processes on
 * different hosts agree. Every call fails fast (`deadlineMs`): the journal lives in the very database the
 * operations create and delete, and callers fall back to the Databricks state when it does not answer.
 */
export interface OperationJournal {
  /** This process, as the journal names it. */
  readonly owner: string;
  /** Claims the lease for `op`, or names the running holder (live, or `live: false` once its lease expired). */
  claim(op: OperationView, instanceName: string): Promise<ClaimResult>;
  /** Extends the lease and records the step; false when the row is no longer ours (taken over). */
  renew(op: OperationView): Promise<boolean>;
  /**
   * Records the outcome of an operation of this process; the lease ends with it. Writes the whole row when
   * the journal has none (the operation ran while its database could not answer, or the row went with a
   * deleted database): the journal catches up. A row another process has taken over since is left alone.
   */
  finish(op: OperationView, instanceName: string): Promise<void>;
  /** Lets the lease of a running operation of ours run out now (the app is closing): the next process resumes it. */
  release(id: string): Promise<void>;
  /** Takes over a running row whose lease expired (one process wins); its step says it was resumed. */
  takeOver(id: string, step: string): Promise<JournalRow | null>;
  /**
   * Ends a running row whose lease expired with the outcome the resources show (operations/outcome.ts);
   * false when it was not (still) such a row: its holder came back, or another process got there first.
   */
  settle(
    id: string,
    outcome: { outcome: "succeeded" | "failed"; step: string; error: string | null },
  ): Promise<boolean>;
  /** Records an ended operation only the resources knew of; false when the journal already has it. */
  record(op: OperationView, instanceName: string): Promise<boolean>;
  /** Ends a running row whose lease expired without resuming it (reported as interrupted). */
  abandon(id: string, error: string): Promise<boolean>;
  running(instanceName: string): Promise<JournalRow | null>;
  /** The newest row of the instance, running or not. */
  latest(instanceName: string): Promise<JournalRow | null>;
  find(id: string): Promise<JournalRow | null>;
}

const COLUMNS = `id::text, instance_name, kind, actor, owner, started_at, step, finished_at, outcome, error,
  (finished_at IS NULL AND lease_until > now()) AS live`;

interface Row {
  id: string;
  instance_name: string;
  kind: OperationView["kind"];
  actor: string;
  owner: string;
  started_at: Date;
  step: string;
  finished_at: Date | null;
  outcome: OperationView["outcome"];
  error: string | null;
  live: boolean;
}

const toRow = (r: Row): JournalRow => ({
  id: r.id,
  instanceName: r.instance_name,
  kind: r.kind,
  actor: r.actor,
  owner: r.owner,
  startedAt: r.started_at.toISOString(),
  step: r.step,
  finishedAt: r.finished_at?.toISOString() ?? null,
  outcome: r.outcome,
  error: r.error,
  live: r.live,
});

export interface OperationJournalOptions {
  leaseSeconds: number;
  /** How long one journal call may take before the caller treats the database as unavailable. */
  deadlineMs?: number;
  owner?: string;
}

export function createOperationJournal(pool: pg.Pool, options: OperationJournalOptions): OperationJournal {
  const owner = options.owner ?? PROCESS_OWNER;
  const deadlineMs = options.deadlineMs ?? 3000;
  const lease = options.leaseSeconds;
  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> => {
    const result = await withDeadline(
      pool.query<R>(text, values),
      deadlineMs,
      `the operation journal did not answer within ${deadlineMs} ms`,
    );
    return result.rows;
  };
  const running = async (instanceName: string) => {
    const rows = await query<Row>(
      `SELECT ${COLUMNS} FROM app_data.lakebase_operation WHERE instance_name = $1 AND finished_at IS NULL`,
      [instanceName],
    );
    return rows[0] ? toRow(rows[0]) : null;
  };

  return {
    owner,
    async claim(op, instanceName) {
      const inserted = await query(
        `INSERT INTO app_data.lakebase_operation
           (id, instance_name, kind, actor, owner, started_at, step, lease_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8))
         ON CONFLICT (instance_name) WHERE finished_at IS NULL DO NOTHING
         RETURNING id`,
        [op.id, instanceName, op.kind, op.actor, owner, op.startedAt, op.step, lease],
      );
      if (inserted.length > 0) return { claimed: true };
      const mine = await query<{ owner: string }>(
        "SELECT owner FROM app_data.lakebase_operation WHERE id = $1 AND finished_at IS NULL",
        [op.id],
      );
      // Our own row already (a claim that answered late, retried): still ours.
      if (mine[0]?.owner === owner) return { claimed: true };
      return { claimed: false, holder: await running(instanceName) };
    },

    async renew(op) {
      const rows = await query(
        `UPDATE app_data.lakebase_operation SET lease_until = now() + make_interval(secs => $3), step = $4
          WHERE id = $1 AND owner = $2 AND finished_at IS NULL RETURNING id`,
        [op.id, owner, lease, op.step],
      );
      return rows.length > 0;
    },

    async finish(op, instanceName) {
      // The holder's own record wins over an outcome another process settled from the resources meanwhile
      // (same outcome, exact time); never over a row another process took over.
      await query(
        `INSERT INTO app_data.lakebase_operation AS o
           (id, instance_name, kind, actor, owner, started_at, step, lease_until, finished_at, outcome, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8, $9, $10)
         ON CONFLICT (id) DO UPDATE
            SET finished_at = EXCLUDED.finished_at, outcome = EXCLUDED.outcome, error = EXCLUDED.error,
                step = EXCLUDED.step, lease_until = now()
          WHERE o.owner = EXCLUDED.owner`,
        [
          op.id,
          instanceName,
          op.kind,
          op.actor,
          owner,
          op.startedAt,
          op.step,
          op.finishedAt ?? new Date().toISOString(),
          op.outcome,
          op.error,
        ],
      );
    },

    async release(id) {
      await query(
        `UPDATE app_data.lakebase_operation SET lease_until = now()
          WHERE id = $1 AND owner = $2 AND finished_at IS NULL`,
        [id, owner],
      );
    },

    async settle(id, o) {
      const rows = await query(
        `UPDATE app_data.lakebase_operation
            SET finished_at = now(), outcome = $2, step = $3, error = $4
          WHERE id = $1 AND finished_at IS NULL AND lease_until <= now()
          RETURNING id`,
        [id, o.outcome, o.step, o.error],
      );
      return rows.length > 0;
    },

    async record(op, instanceName) {
      const rows = await query(
        `INSERT INTO app_data.lakebase_operation
           (id, instance_name, kind, actor, owner, started_at, step, lease_until, finished_at, outcome, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now(), $8, $9)
         ON CONFLICT (id) DO NOTHING
         RETURNING id`,
        [op.id, instanceName, op.kind, op.actor, owner, op.startedAt, op.step, op.outcome, op.error],
      );
      return rows.length > 0;
    },

    async takeOver(id, step) {
      const rows = await query<Row>(
        `UPDATE app_data.lakebase_operation
            SET owner = $2, step = $3, lease_until = now() + make_interval(secs => $4)
          WHERE id = $1 AND finished_at IS NULL AND lease_until <= now()
          RETURNING ${COLUMNS}`,
        [id, owner, step, lease],
      );
      return rows[0] ? toRow(rows[0]) : null;
    },

    async abandon(id, error) {
      const rows = await query(
        `UPDATE app_data.lakebase_operation
            SET finished_at = now(), outcome = 'failed', error = $2, step = 'interrupted: ' || step
          WHERE id = $1 AND finished_at IS NULL AND lease_until <= now()
          RETURNING id`,
        [id, error],
      );
      return rows.length > 0;
    },

    running,

    async latest(instanceName) {
      const rows = await query<Row>(
        `SELECT ${COLUMNS} FROM app_data.lakebase_operation WHERE instance_name = $1
          ORDER BY started_at DESC LIMIT 1`,
        [instanceName],
      );
      return rows[0] ? toRow(rows[0]) : null;
    },

    async find(id) {
      const rows = await query<Row>(`SELECT ${COLUMNS} FROM app_data.lakebase_operation WHERE id = $1`, [id]);
      return rows[0] ? toRow(rows[0]) : null;
    },
  };
}
