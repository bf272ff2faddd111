import type { Logger } from "@lakebase-orders/log";
import { isSyncedTableOnline, isSyncFailed } from "@lakebase-orders/shared";
import { conflict, isDomainError } from "../../errors/domain-error.ts";
import { describeFailure } from "../admin/failures.ts";
import type { OperationView } from "../admin/types.ts";
import type { ResourceSnapshot } from "../status/snapshot.ts";
import type { JournalRow, OperationJournal } from "./journal.ts";

/**
 * Cross-process coordination of lifecycle operations. The design (also in apps/api/README.md):
 *
 * - **Where the database answers, it holds the lease.** An operation claims a running row in the
 *   operation journal (app_data.lakebase_operation, one running row per instance) and renews it every third
 *   of the lease (and at every step); the loser of a race gets CONFLICT naming the holder. A holder whose
 *   renewal finds the row taken over has lost the lease: its operation stops before its next step. A row
 *   whose lease expired belongs to a process that stopped (or lost its database to the operation): the
 *   resources say how it ended (outcome.ts) and it is recorded so, or it is resumed (recovery.ts).
 * - **Where it does not** (the instance does not exist yet, is stopped, starting or being deleted, or the
 *   app's tables are not migrated), **Databricks is the truth**: an operation may start only while nothing
 *   is in transition there (instance STARTING, UPDATING, DELETING or FAILING_OVER, a synced table still
 *   provisioning); otherwise CONFLICT. It then runs without a lease and claims one as soon as the database
 *   answers (a create claims it once its new database is migrated). Databricks' own calls stay idempotent
 *   (a create meets 409, a delete 404), so two processes racing in this window cannot damage anything; the
 *   window is the few seconds between an instance becoming AVAILABLE and its database answering.
 * - Every operation is also recorded on the instance itself (Provisioned: its custom tags, written by the
 *   call that makes the change: provisioned/markers.ts), which Databricks keeps while the journal cannot
 *   answer: a process restarted meanwhile finds it, and every process's status reads it alike.
 * - An outcome the journal cannot take when it happens (a stop ends the database that holds its row, a
 *   delete deletes it) is kept here and written once the journal answers, retried with backoff.
 */
export interface HeldLease {
  /** False while the database could not be reached: the lease is claimed as soon as it can be. */
  readonly claimed: boolean;
  /** Another process took the lease over: this one must not make one more call for the operation. */
  readonly lost: boolean;
  /** Writes the current step now, in the background: a renewal, which also finds out whether it is still ours. */
  touch(): void;
  /** Records the outcome (now, or kept and written once the journal answers) and stops renewing. */
  finish(op: OperationView): Promise<void>;
  /**
   * Stops renewing without an outcome: the operation stays running in the journal for the next holder.
   * `closing`: the lease runs out now, so the next process takes over at once rather than a lease later.
   */
  release(closing: boolean): Promise<void>;
}

export interface OperationLeasesOptions {
  journal: OperationJournal | null;
  instanceName: string;
  leaseSeconds: number;
  /** False until the app's tables are migrated: then the journal is not even asked. */
  databaseReady: () => boolean;
  /** A fresh Databricks snapshot, for when the database cannot hold the lease. */
  snapshot: () => Promise<ResourceSnapshot>;
  /**
   * A running row whose lease ran out stands in the way of a claim: it is judged against the resources and
   * ended (recovery.ts), so the claim can go ahead on the next try.
   */
  staleHolder?: (row: JournalRow) => Promise<void>;
  /** First pause before a kept outcome is written again (default 1 s), doubling up to half a lease. */
  retryMs?: number;
  log: Logger;
}

export interface OperationLeases {
  /** Claims the lease for `op` (throws CONFLICT when another process holds it or Databricks is busy). */
  acquire(op: OperationView): Promise<HeldLease>;
  /** Holds a lease already claimed for `op` (taken over from a stopped process), renewing it. */
  hold(op: OperationView, claimed: boolean): HeldLease;
  /**
   * Writes the outcomes the journal could not take when they happened (a stop ends the very database that
   * holds its row; a delete deletes it): retried in the background with backoff, and now (before every claim,
   * whenever the database becomes ready again).
   */
  flush(): Promise<void>;
  /** Outcomes kept for a later write. */
  pending(): number;
  /** Stops the background retries (the kept outcomes are in the log already). */
  close(): void;
}

/** Outcomes kept while the journal cannot take them (bounded: the log line is the record of last resort). */
const MAX_PENDING = 100;

export function createOperationLeases(options: OperationLeasesOptions): OperationLeases {
  const { journal, instanceName, log } = options;
  const renewEveryMs = Math.max(500, (options.leaseSeconds * 1000) / 3);
  const baseRetryMs = options.retryMs ?? 1000;
  // Within half a lease: a process that comes back finds its outcome written before anyone else records
  // it from the resources (recovery.ts waits a lease), so each outcome has one audit row.
  const maxRetryMs = Math.max(baseRetryMs, Math.min(30_000, (options.leaseSeconds * 1000) / 2));
  // Operations of this process that hold (or wait for) a lease now, and outcomes not recorded yet.
  const active = new Set<string>();
  const unrecorded = new Map<string, OperationView>();
  let flushing: Promise<void> = Promise.resolve();
  let retryMs = baseRetryMs;
  let retryTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const scheduleRetry = () => {
    if (closed || retryTimer || unrecorded.size === 0) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void flush();
    }, retryMs);
    retryTimer.unref();
    retryMs = Math.min(retryMs * 2, maxRetryMs);
  };

  const flushOnce = async () => {
    if (!journal || unrecorded.size === 0) return;
    if (!options.databaseReady()) {
      scheduleRetry();
      return;
    }
    for (const [id, view] of unrecorded) {
      try {
        await journal.finish(view, instanceName);
        unrecorded.delete(id);
        log.info("lakebase_operation_outcome_recorded_late", { operationId: id, outcome: view.outcome });
      } catch {
        scheduleRetry();
        return;
      }
    }
    retryMs = baseRetryMs;
  };
  // One writer at a time: a retry and a claim's flush must not write the same outcome twice.
  const flush = () => {
    flushing = flushing.then(flushOnce);
    return flushing;
  };

  const keep = (view: OperationView, error: unknown) => {
    unrecorded.set(view.id, { ...view });
    if (unrecorded.size > MAX_PENDING) {
      const [oldest] = unrecorded.keys();
      if (oldest) unrecorded.delete(oldest);
      log.error("lakebase_operation_outcome_dropped", { operationId: oldest });
    }
    log.warn("lakebase_operation_journal_finish_failed", {
      operationId: view.id,
      outcome: view.outcome,
      error: describeFailure(error),
      kept: true,
    });
    scheduleRetry();
  };

  const hold = (op: OperationView, initiallyClaimed: boolean): HeldLease => {
    let claimed = initiallyClaimed;
    let lost = false;
    active.add(op.id);
    let done = false;
    let ticking: Promise<void> = Promise.resolve();
    const tick = async () => {
      if (!journal || done || lost) return;
      try {
        if (claimed) {
          if (!(await journal.renew(op))) {
            lost = true;
            log.error("lakebase_operation_lease_lost", {
              operationId: op.id,
              kind: op.kind,
              step: op.step,
              consequence:
                "the operation stops before its next step; the process holding the lease carries it on",
            });
          }
        } else if (options.databaseReady()) {
          const result = await journal.claim(op, instanceName);
          if (result.claimed) {
            claimed = true;
            log.info("lakebase_operation_lease_claimed_late", { operationId: op.id, kind: op.kind });
          } else if (result.holder?.live) {
            log.error("lakebase_operation_lease_conflict", {
              operationId: op.id,
              holder: { id: result.holder.id, kind: result.holder.kind, owner: result.holder.owner },
            });
          } else if (result.holder) {
            // An operation whose process stopped holds the slot: ended from the resources, claimed next time.
            await options.staleHolder?.(result.holder);
          }
        }
      } catch (error) {
        // The database went away under the operation (a delete, a stop): Databricks goes on regardless.
        log.debug("lakebase_operation_lease_renew_failed", {
          operationId: op.id,
          error: describeFailure(error),
        });
      }
    };
    const enqueue = () => {
      ticking = ticking.then(tick);
    };
    const timer = setInterval(enqueue, renewEveryMs);
    timer.unref();
    const stop = async () => {
      done = true;
      clearInterval(timer);
      await ticking;
      active.delete(op.id);
    };
    return {
      get claimed() {
        return claimed;
      },
      get lost() {
        return lost;
      },
      touch: enqueue,
      async finish(view) {
        await stop();
        if (!journal || lost) return;
        // Unclaimed too: an operation that ran while its database could not answer is written once it does.
        await journal.finish(view, instanceName).catch((error: unknown) => keep(view, error));
      },
      async release(closing) {
        await stop();
        if (!journal || !claimed || lost || !closing) return;
        await journal.release(op.id).catch((error: unknown) =>
          log.debug("lakebase_operation_lease_release_failed", {
            operationId: op.id,
            error: describeFailure(error),
          }),
        );
      },
    };
  };

  const claimOnce = async (op: OperationView): Promise<"claimed" | "retry"> => {
    if (!journal) throw new Error("no journal");
    const result = await journal.claim(op, instanceName);
    if (result.claimed) return "claimed";
    const holder = result.holder;
    if (!holder) return "retry";
    if (holder.owner === journal.owner && !active.has(holder.id)) {
      // Our own row, of an operation that ended here while its database could not record it.
      const view = unrecorded.get(holder.id);
      if (view) {
        await journal.finish(view, instanceName);
        unrecorded.delete(holder.id);
      } else {
        await journal.finish(
          { ...holder, finishedAt: new Date().toISOString(), outcome: "failed", error: "ended unrecorded" },
          instanceName,
        );
      }
      return "retry";
    }
    if (holder.live) {
      throw conflict(
        `A ${holder.kind} of the Lakebase resources is already running in another process of the app (started by ${holder.actor} at ${holder.startedAt}, now ${holder.step}); try again when it has finished.`,
      );
    }
    // Its process stopped and nobody resumed it yet: the resources say how it ended, and the new one goes ahead.
    if (options.staleHolder) await options.staleHolder(holder);
    else if (await journal.abandon(holder.id, "interrupted: the process running it stopped")) {
      log.warn("lakebase_operation_interrupted", { operationId: holder.id, kind: holder.kind });
    }
    return "retry";
  };

  return {
    hold,
    flush,
    pending: () => unrecorded.size,
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
    },
    async acquire(op) {
      if (journal && options.databaseReady()) {
        try {
          await flush();
          for (let attempt = 0; attempt < 3; attempt++) {
            if ((await claimOnce(op)) === "claimed") return hold(op, true);
          }
        } catch (error) {
          if (isDomainError(error)) throw error;
          log.warn("lakebase_operation_journal_unavailable", {
            operationId: op.id,
            error: describeFailure(error),
          });
        }
      }
      const busy = transitionOf(await options.snapshot());
      if (busy) {
        throw conflict(
          `Databricks shows ${busy}: another operation (from another process of the app, the bundle or the Databricks UI) is in progress; try again when it has finished.`,
        );
      }
      log.info("lakebase_operation_unleased", {
        operationId: op.id,
        kind: op.kind,
        reason: "the app's database cannot hold the lease now; Databricks shows nothing in transition",
      });
      return hold(op, false);
    },
  };
}

const TRANSITIONS = new Set(["STARTING", "UPDATING", "DELETING", "FAILING_OVER"]);

/** What is moving on Databricks right now, in words, or null when everything is at rest. */
export function transitionOf(snapshot: ResourceSnapshot): string | null {
  const state = snapshot.instance?.state;
  if (state && TRANSITIONS.has(state)) return `the instance ${snapshot.instance?.name} ${state}`;
  const t = snapshot.syncedTable;
  if (t && !isSyncedTableOnline(t) && !isSyncFailed(t)) {
    return `the synced table ${t.name} ${t.detailedState ?? t.state ?? "provisioning"}`;
  }
  return null;
}
