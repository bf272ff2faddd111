import type { LakebaseNamesView, OperationView } from "../admin/types.ts";
import type { StatusReader } from "../status/reader.ts";
import type { ObservedSnapshot } from "../status/snapshot.ts";
import type { OperationOutcomes } from "./flavour.ts";
import type { JournalRow, OperationJournal } from "./journal.ts";
import { judgeInterrupted } from "./outcome.ts";
import type { RecordedOperation } from "./recorded.ts";

/** What a process finds left over by a stopped one. */
export type RecoveryPlan =
  /** Nothing was interrupted. */
  | { action: "none" }
  /** Cannot tell yet (Databricks or the database does not answer, a lease has not run out): look again later. */
  | { action: "wait"; reason: string }
  /** A journal row whose holder stopped, and the resources show how it ended: recorded so. */
  | {
      action: "settle";
      row: JournalRow;
      outcome: "succeeded" | "failed";
      step: string;
      error: string | null;
      why: string;
    }
  /** A journal row whose holder stopped before its end: taken over and carried on (or watched to its end). */
  | { action: "take-over"; row: JournalRow }
  /** An ended operation only the resources knew of (it ran while the journal could not answer): recorded. */
  | { action: "record"; op: OperationView }
  /** A create or delete only the resources carry, interrupted before its database could hold a lease. */
  | { action: "resume"; op: OperationView };

export interface RecoveryDeps {
  names: LakebaseNamesView;
  reader: StatusReader;
  journal: OperationJournal | null;
  databaseReady: () => boolean;
  outcomes: OperationOutcomes;
  /**
   * A process still running an operation without a lease shows progress within a lease: what only the
   * resources carry is acted on once it has looked abandoned for that long (first sightings are kept here).
   */
  leaseMs: number;
  abandonedSince: Map<string, number>;
}

/**
 * Decides what a stopped process left unfinished, never acting on it (recovery-loop.ts does). The journal is
 * asked first when the database answers: a running row whose lease ran out is judged against the resources
 * (operations/outcome.ts): recorded as it ended, or taken over. Then what the resources carry (an operation
 * that ran while the journal could not answer): recorded once ended, resumed if a create or delete stopped
 * half-way. A restart during a delete never resumes a create: the instance says which came last.
 */
export async function planRecovery(deps: RecoveryDeps): Promise<RecoveryPlan> {
  const { journal, names } = deps;
  let journalReady = journal !== null && deps.databaseReady();
  let running: JournalRow | null = null;
  if (journal && journalReady) {
    try {
      running = await journal.running(names.instanceName);
    } catch {
      // Ready once, not answering now (the instance was stopped or deleted since): Databricks is the truth.
      journalReady = false;
    }
  }
  // The journal first: a live holder needs no call to Databricks (and a look that finds nothing running ends
  // before an operation that starts meanwhile could be mistaken for one to wait on).
  if (running?.live) {
    return { action: "wait", reason: `a ${running.kind} by ${running.owner} holds the lease` };
  }
  const snapshot = await deps.reader.read(0);
  const recorded = snapshot.recorded;
  if (journal && journalReady) {
    if (running) {
      const judged = judgeInterrupted(running, snapshot, deps.outcomes);
      if (judged.action !== "settle") return { action: "take-over", row: running };
      // Its holder may live on and write the outcome itself once the journal answers (it retries within
      // half a lease): it is given a lease to do so, so that one outcome gets one audit row.
      return confirmed(deps, `settle:${running.id}`)
        ? { ...judged, row: running }
        : {
            action: "wait",
            reason: `${running.kind} ${running.id} ended unrecorded; confirming for one lease`,
          };
    }
    if (!recorded || (await journal.find(recorded.id))) return { action: "none" };
    return planRecorded(deps, recorded, snapshot, true);
  }
  if (!recorded) return { action: "none" };
  return planRecorded(deps, recorded, snapshot, false);
}

/** An operation only the resources know of (`journalReady`: and the journal, asked, does not). */
function planRecorded(
  deps: RecoveryDeps,
  recorded: RecordedOperation,
  snapshot: ObservedSnapshot,
  journalReady: boolean,
): RecoveryPlan {
  const op: OperationView = {
    id: recorded.id,
    kind: recorded.kind,
    actor: recorded.actor,
    startedAt: recorded.startedAt,
    finishedAt: null,
    step: "resuming after a restart",
    outcome: "running",
    error: null,
  };
  const check = recorded.failed
    ? ({ state: "failed", error: recorded.failed } as const)
    : deps.outcomes.check(recorded.kind, snapshot, true);
  if (check.state === "reached" || check.state === "failed") {
    if (!journalReady) return { action: "none" };
    if (!confirmed(deps, `record:${recorded.id}`)) {
      return {
        action: "wait",
        reason: `${recorded.kind} ${recorded.id} is not in the journal; confirming for one lease`,
      };
    }
    const succeeded = check.state === "reached";
    return {
      action: "record",
      op: {
        ...op,
        outcome: succeeded ? "succeeded" : "failed",
        step: succeeded ? "done (recorded from the resources)" : "failed",
        error: succeeded ? null : check.error,
      },
    };
  }
  if (recorded.kind === "stop" || recorded.kind === "start") {
    // One call each: Databricks moves on its own, and the next look records where it got to.
    return check.state === "moving"
      ? { action: "wait", reason: `the ${recorded.kind} ${recorded.id} is still under way on Databricks` }
      : { action: "none" };
  }
  // A create the resources no longer support (deleted since, being deleted, stopped half-way): nothing to do.
  if (recorded.kind === "create" && check.state === "not-reached") return { action: "none" };
  if (recorded.kind === "create") {
    if (!journalReady && snapshot.catalog) {
      return {
        action: "wait",
        reason: "the database exists but does not answer yet: its journal may know more",
      };
    }
    if (snapshot.instance?.state === "STARTING") {
      return { action: "wait", reason: "the instance is starting: a running create would be waiting too" };
    }
  }
  if (!confirmed(deps, `resume:${recorded.id}`)) {
    return {
      action: "wait",
      reason: `${recorded.kind} ${recorded.id} looks interrupted; confirming for one lease`,
    };
  }
  return { action: "resume", op };
}

/** True once `key` has looked the same for a whole lease (its first sighting is kept). */
function confirmed(deps: RecoveryDeps, key: string): boolean {
  const since = deps.abandonedSince.get(key);
  if (since === undefined) deps.abandonedSince.set(key, Date.now());
  return since !== undefined && Date.now() - since >= deps.leaseMs;
}
