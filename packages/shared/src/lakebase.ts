// Lakebase facts both the server and the SPA decide on: the capacities an instance may have, and when the
// resources have stopped moving on their own (the rule the progress poller and the admin console share).

/** Provisioned instance capacities (Databricks `database` API). */
export const CAPACITIES = ["CU_1", "CU_2", "CU_4", "CU_8"] as const;
export type Capacity = (typeof CAPACITIES)[number];

/** Instance states in which nothing happens until someone acts. */
export const SETTLED_INSTANCE_STATES = ["AVAILABLE", "STOPPED"] as const;

/** The parts of a status snapshot the settled rule reads (server DTOs and SPA types both fit). */
export interface SettledInput {
  instance: { state: string | null } | null;
  syncedTable: { state: string | null; detailedState: string | null } | null;
  operation?: { outcome: string } | null;
}

/** Every ONLINE variant (including ONLINE_PIPELINE_FAILED: the data of the last sync is readable). */
export function isSyncedTableOnline(t: SettledInput["syncedTable"]): boolean {
  return Boolean(t?.detailedState?.startsWith("SYNCED_TABLE_ONLINE"));
}

export function isSyncFailed(t: SettledInput["syncedTable"]): boolean {
  return t?.detailedState === "SYNCED_TABLE_OFFLINE_FAILED" || t?.state === "FAILED";
}

/**
 * Nothing is running or moving on its own: no operation in progress, the instance at rest (or absent), the
 * synced table online, failed (or absent). A watcher may then slow down or stop.
 */
export function isSettled(s: SettledInput): boolean {
  if (s.operation?.outcome === "running") return false;
  const state = s.instance?.state;
  const instanceSettled =
    !s.instance || (SETTLED_INSTANCE_STATES as readonly (string | null | undefined)[]).includes(state);
  const tableSettled = !s.syncedTable || isSyncedTableOnline(s.syncedTable) || isSyncFailed(s.syncedTable);
  return instanceSettled && tableSettled;
}
