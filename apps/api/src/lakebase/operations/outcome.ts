import type { OperationView } from "../admin/types.ts";
import type { ObservedSnapshot } from "../status/snapshot.ts";
import type { OperationOutcomes } from "./flavour.ts";
import type { JournalRow } from "./journal.ts";
import type { OperationKind, RecordedOperation } from "./recorded.ts";

// One rule, used by every process for what it shows (status) and for what it records (recovery): an
// operation's outcome comes from the journal when its holder recorded it, else from the resources themselves.
// No process answers from what it alone remembers, so every worker and every container says the same.

/** Kinds that are one Databricks call: if the resources do not show it, it never happened. */
const ONE_CALL: ReadonlySet<OperationKind> = new Set(["stop", "start"]);

/** What becomes of a running journal row whose lease ran out (its process stopped, or lost its database). */
export type Judgement =
  | { action: "settle"; outcome: "succeeded" | "failed"; step: string; error: string | null; why: string }
  /** Not at its end: a process takes it over and carries on (create, delete) or watches it get there. */
  | { action: "resume"; step: string };

const doneStep = (note: string | null) => (note ? `done (${note})` : "done");
const isNewer = (a: string, b: string) => Date.parse(a) > Date.parse(b);

/** The operation view of a journal row, with the step given. */
export function viewOf(row: JournalRow, step: string): OperationView {
  return {
    id: row.id,
    kind: row.kind,
    actor: row.actor,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    step,
    outcome: row.outcome,
    error: row.error,
  };
}

/** A later operation the resources carry, that went ahead while `row` was still running. */
function supersededBy(row: JournalRow, snapshot: ObservedSnapshot): RecordedOperation | null {
  const r = snapshot.recorded;
  return r && r.id !== row.id && isNewer(r.startedAt, row.startedAt) ? r : null;
}

/**
 * Judges a running row whose lease ran out against the resources. Never "failed" for an operation whose
 * effect the resources show: a restart does not turn a success into a failure.
 */
export function judgeInterrupted(
  row: JournalRow,
  snapshot: ObservedSnapshot,
  outcomes: OperationOutcomes,
): Judgement {
  const later = supersededBy(row, snapshot);
  if (later) {
    // A later operation could only go ahead while the journal could not answer (this row held the lease), and
    // it noted on the resources how this one had ended.
    if (later.previous?.id === row.id) {
      const succeeded = later.previous.outcome === "succeeded";
      return {
        action: "settle",
        outcome: later.previous.outcome,
        step: succeeded ? "done" : `interrupted: ${row.step}`,
        error: succeeded ? null : `interrupted; a later ${later.kind} followed it`,
        why: `a later ${later.kind} (${later.id}) found it ${later.previous.outcome}`,
      };
    }
    return {
      action: "settle",
      outcome: "failed",
      step: `interrupted: ${row.step}`,
      error: `its process stopped before Databricks carried it out; a later ${later.kind} followed it`,
      why: `superseded by ${later.kind} ${later.id}`,
    };
  }
  const landed = snapshot.recorded?.id === row.id;
  const check = outcomes.check(row.kind, snapshot, landed);
  switch (check.state) {
    case "reached":
      return {
        action: "settle",
        outcome: "succeeded",
        step: doneStep(check.note),
        error: null,
        why: "the resources show it done",
      };
    case "failed":
      return {
        action: "settle",
        outcome: "failed",
        step: `failed while ${row.step}`,
        error: check.error,
        why: "the resources show it cannot end",
      };
    case "moving":
      return { action: "resume", step: `${check.step} (its process stopped; the app carries on)` };
    case "not-reached":
      if (ONE_CALL.has(row.kind)) {
        return {
          action: "settle",
          outcome: "failed",
          step: `interrupted: ${row.step}`,
          error: "interrupted: its process stopped before Databricks was asked; run it again",
          why: "the resources do not show it",
        };
      }
      return { action: "resume", step: `interrupted while ${row.step}; waiting for the app to resume it` };
  }
}

/**
 * The current or last operation, as every process shows it: the newer of the journal's latest row (`null`
 * when the journal cannot answer) and the operation the resources carry, judged against the resources
 * where its holder could not record how it ended.
 */
export function currentOperation(
  row: JournalRow | null,
  snapshot: ObservedSnapshot,
  outcomes: OperationOutcomes,
): OperationView | null {
  const recorded = snapshot.recorded;
  if (recorded && (!row || supersededBy(row, snapshot))) return fromRecorded(recorded, snapshot, outcomes);
  if (!row) return null;
  const view = viewOf(row, row.step);
  if (row.outcome !== "running" || row.live) return view;
  const judged = judgeInterrupted(row, snapshot, outcomes);
  return judged.action === "settle"
    ? { ...view, outcome: judged.outcome, step: judged.step, error: judged.error }
    : { ...view, step: judged.step };
}

/** An operation only the resources know of (its journal could not answer): where the resources show it. */
function fromRecorded(
  r: RecordedOperation,
  snapshot: ObservedSnapshot,
  outcomes: OperationOutcomes,
): OperationView | null {
  const view: OperationView = {
    id: r.id,
    kind: r.kind,
    actor: r.actor,
    startedAt: r.startedAt,
    finishedAt: null,
    step: "",
    outcome: "running",
    error: null,
  };
  if (r.failed) return { ...view, outcome: "failed", step: "failed", error: r.failed };
  const check = outcomes.check(r.kind, snapshot, true);
  switch (check.state) {
    case "reached":
      return { ...view, outcome: "succeeded", step: doneStep(check.note) };
    case "failed":
      return { ...view, outcome: "failed", step: "failed", error: check.error };
    case "moving":
      return { ...view, step: check.step };
    case "not-reached":
      // Something else happened since that the resources do not explain: nothing is claimed.
      return null;
  }
}
