import { randomUUID } from "node:crypto";
import { isConnectionLost, type PrismaClient, sqlState } from "@lakebase-orders/db";
import { conflict } from "../../errors/domain-error.ts";
import { orderNotFound } from "../db-errors.ts";
import type { HistoryOutput, StatusUpdate, UpdateStatusInput } from "../schemas.ts";
import { type SyncedTable, tableSql } from "../tables.ts";
import type { Actor } from "../types.ts";
import { type OrderChange, pruneChanges, WAL_POSITION_SQL } from "./change-log.ts";
import { runStatusChange, statusChangeStatement } from "./status-change.ts";

/** A committed status change: what the caller gets, and what every process must learn (the change feed). */
export interface CommittedChange {
  update: StatusUpdate;
  change: OrderChange;
  /** The primary's WAL position at or past the commit (null: it could not be read; see recent-writers.ts). */
  lsn: string | null;
}

/**
 * Status changes go to the app's overlay (`app_data.order_status`) with a history row, never to the synced
 * table (read-only on Lakebase). One transaction per change; concurrent writers of one order serialise on
 * the overlay row, so `expectedStatus` and the history's `previousStatus` are exact. The same statement
 * records the change in the feed (status-change.ts: one statement, one round trip, its own transaction), so
 * it reaches every process exactly when it commits and never when it does not. An override that sets the synced status again is removed rather than kept: it
 * says nothing, and the source's later changes show from then on.
 */
export function createStatusWriter(
  prisma: PrismaClient,
  table: SyncedTable,
  options: { pruneEveryMs?: number; onPruneFailed?: (error: unknown) => void } = {},
) {
  const T = tableSql(table);
  const pruneEveryMs = options.pruneEveryMs ?? 60 * 60_000;
  let prunedAt = 0;
  const maybePrune = () => {
    if (Date.now() - prunedAt < pruneEveryMs) return;
    prunedAt = Date.now();
    // After the caller's change, never in its way: a failure waits for the next round.
    pruneChanges(prisma, table.sqlName).catch((error: unknown) => options.onPruneFailed?.(error));
  };

  const statement = statusChangeStatement(table);
  const attempt = async (input: UpdateStatusInput, by: Actor, at: Date, writeId: string) => {
    const r = await runStatusChange(prisma, statement, {
      orderKey: input.orderKey,
      status: input.status,
      expectedStatus: input.expectedStatus,
      actor: by.actor,
      requestId: by.requestId,
      at,
      writeId,
    });
    if (r.kind === "not found") throw orderNotFound(input.orderKey);
    if (r.kind === "conflict") {
      throw conflict(
        `Order ${input.orderKey} has status ${r.previousStatus}, not the expected ${input.expectedStatus}; reload and retry.`,
      );
    }
    return { update: r.update, change: r.change };
  };

  return {
    /** Applies the change and resolves once it is committed; a failure changed nothing. */
    async updateStatus(input: UpdateStatusInput, by: Actor): Promise<CommittedChange> {
      const at = new Date();
      const writeId = randomUUID();
      let committed: Omit<CommittedChange, "lsn"> | undefined;
      let lost = false;
      for (let tries = 1; !committed; tries++) {
        try {
          committed = await attempt(input, by, at, writeId);
        } catch (error) {
          // 23505: two first-ever writers of one order (the loser finds the winner's row under the lock next
          // time), or an earlier attempt of this change that committed meanwhile (found by its write id).
          // A lost connection: the outcome is unknown, and the write id makes one more attempt apply it at
          // most once (status-change.ts). Anything else changed nothing and is the caller's answer.
          const again = sqlState(error) === "23505" || (!lost && isConnectionLost(error));
          if (!again || tries >= 3) throw error;
          lost ||= isConnectionLost(error);
        }
      }
      // Read after the commit, so at or past it: what a replica must have replayed to show the change. The
      // change is committed whatever happens here.
      const lsn = await prisma
        .$queryRawUnsafe<{ lsn: string }[]>(`SELECT ${WAL_POSITION_SQL} AS lsn`)
        .then((rows) => rows[0]?.lsn ?? null)
        .catch(() => null);
      maybePrune();
      return { ...committed, lsn };
    },

    /** The order's status changes, newest first; `db` is the primary for a caller who just wrote. */
    async history(db: PrismaClient, orderKey: number): Promise<HistoryOutput> {
      const [synced, changes] = await Promise.all([
        db.$queryRaw<{ one: number }[]>`SELECT 1 AS one FROM ${T} o WHERE o.o_orderkey = ${orderKey}`,
        db.orderStatusHistory.findMany({
          where: { orderKey: BigInt(orderKey) },
          orderBy: [{ changedAt: "desc" }, { id: "desc" }],
        }),
      ]);
      if (synced.length === 0) throw orderNotFound(orderKey);
      return {
        orderKey,
        changes: changes.map((c) => ({
          status: c.status,
          previousStatus: c.previousStatus,
          changedAt: c.changedAt.toISOString(),
          changedBy: c.changedBy,
        })),
      };
    },
  };
}
