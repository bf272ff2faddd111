import type { DatabaseApi, DatabaseInstance } from "@lakebase-orders/lakebase-api";
import { isSyncedTableOnline, isSyncFailed } from "@lakebase-orders/shared";
import type { LakebaseNamesView, OperationView } from "../admin/types.ts";
import type { StatusReader } from "../status/reader.ts";
import type { JournalRow, OperationJournal } from "./journal.ts";

/** Tags our create puts on the instance it creates: Databricks keeps them when no database exists yet. */
export const OPERATION_TAG = "lakebase-orders-operation";
export const ACTOR_TAG = "lakebase-orders-actor";

export function operationTags(op: OperationView): { key: string; value: string }[] {
  return [
    { key: OPERATION_TAG, value: op.id },
    { key: ACTOR_TAG, value: op.actor.slice(0, 255) },
  ];
}

function tagsOf(instance: DatabaseInstance): { id: string; actor: string } | null {
  const tags = instance.effective_custom_tags ?? instance.custom_tags ?? [];
  const id = tags.find((t) => t.key === OPERATION_TAG)?.value;
  if (!id) return null;
  return { id, actor: tags.find((t) => t.key === ACTOR_TAG)?.value ?? "unknown" };
}

/** What a process finds left over by a stopped one. */
export type RecoveryPlan =
  /** Nothing was interrupted. */
  | { action: "none" }
  /** Cannot tell yet (Databricks or the database does not answer): look again later. */
  | { action: "wait"; reason: string }
  /** A journal row whose holder stopped: take it over and resume (create, delete) or report (stop, start). */
  | { action: "take-over"; row: JournalRow }
  /** Our create's tag on an instance whose create never reached the journal: resume it. */
  | { action: "resume-create"; op: OperationView };

export interface RecoveryDeps {
  api: DatabaseApi;
  names: LakebaseNamesView;
  reader: StatusReader;
  journal: OperationJournal | null;
  databaseReady: () => boolean;
  /**
   * A process still running that create (without a lease yet) shows progress within a lease: a tag is
   * acted on only once it has looked abandoned for that long (first sightings are kept here).
   */
  leaseMs: number;
  abandonedSince: Map<string, number>;
}

/**
 * Decides what a stopped process left unfinished, never acting on it (the admin does). The journal is
 * asked first when the database answers; then the instance's tags, for a create that stopped before its
 * new database existed. A create tag alone resumes nothing while the journal might still know better:
 * only when the database cannot exist yet (no catalog) or the journal has no record of that create, and
 * only after it has looked that way for a whole lease.
 */
export async function planRecovery(deps: RecoveryDeps): Promise<RecoveryPlan> {
  const { journal, names } = deps;
  const journalReady = journal !== null && deps.databaseReady();
  if (journalReady) {
    const running = await journal.running(names.instanceName);
    if (running?.live) {
      // Another process is on it, or was until it stopped: look again once its lease has run out.
      return { action: "wait", reason: `a ${running.kind} by ${running.owner} holds the lease` };
    }
    if (running) return { action: "take-over", row: running };
  }
  const instance = await deps.api.getInstance(names.instanceName);
  const tag = instance ? tagsOf(instance) : null;
  if (!instance || !tag) return { action: "none" };
  const snapshot = await deps.reader.read(0);
  const t = snapshot.syncedTable;
  if (isSyncedTableOnline(t) || isSyncFailed(t) || snapshot.instance?.stopped) return { action: "none" };
  if (journalReady) {
    const known = await journal.find(tag.id);
    if (known) return { action: "none" };
  } else if (snapshot.catalog) {
    return {
      action: "wait",
      reason: "the database exists but does not answer yet: its journal may know more",
    };
  }
  if (snapshot.instance?.state === "STARTING") {
    return { action: "wait", reason: "the instance is starting: a running create would be waiting too" };
  }
  const since = deps.abandonedSince.get(tag.id);
  if (since === undefined || Date.now() - since < deps.leaseMs) {
    if (since === undefined) deps.abandonedSince.set(tag.id, Date.now());
    return { action: "wait", reason: `create ${tag.id} looks interrupted; confirming for one lease` };
  }
  return {
    action: "resume-create",
    op: {
      id: tag.id,
      kind: "create",
      actor: tag.actor,
      startedAt: instance.creation_time ?? new Date().toISOString(),
      finishedAt: null,
      step: "resuming after a restart",
      outcome: "running",
      error: null,
    },
  };
}

/** The operation view of a journal row taken over by this process. */
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
