/** How a synced table's pipeline runs: a full copy per update, incremental per update, or on its own. */
export type SchedulingPolicy = "SNAPSHOT" | "TRIGGERED" | "CONTINUOUS";

/** `detailed_state` values the local pipelines produce (the database API's names). */
export type DetailedState =
  | "SYNCED_TABLE_PROVISIONING"
  | "SYNCED_TABLE_PROVISIONING_PIPELINE_RESOURCES"
  | "SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT"
  | "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE"
  | "SYNCED_TABLE_ONLINE_TRIGGERED_UPDATE"
  | "SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE"
  | "SYNCED_TABLE_ONLINE_PIPELINE_FAILED"
  | "SYNCED_TABLE_OFFLINE_FAILED";

export interface IndexDefinition {
  name: string;
  /** What follows `CREATE INDEX <name> ON <table>`, e.g. `USING btree (o_orderdate, o_orderkey)`. */
  definition: string;
  creation_point?: "CREATION_POINT_AFTER_DATA_LOAD";
}

export interface SyncProgress {
  synced_row_count: number;
  total_row_count: number;
  sync_progress_completion: number;
  estimated_completion_time_seconds: number;
  /** The source version being applied (updates only). */
  latest_version_currently_processing?: number;
  /** Initial snapshot only: MAIN while copying, INDEX_SORT while building `extra_index_definitions`. */
  provisioning_phase?:
    | "PROVISIONING_PHASE_MAIN"
    | "PROVISIONING_PHASE_INDEX_SCAN"
    | "PROVISIONING_PHASE_INDEX_SORT";
}

/**
 * The flavour-neutral, persisted state of one synced table's sync: what both APIs render (the `database`
 * API's `data_synchronization_status`, the `postgres` API's `status`). The flavour that created the table
 * keeps this object in its own record; the pipelines mutate it and save the state.
 */
export interface SyncState {
  pipeline_id: string;
  scheduling_policy: SchedulingPolicy;
  primary_key_columns: string[];
  extra_index_definitions: IndexDefinition[];
  /** The identity that created the synced table: its manager in Postgres. */
  creator: string;
  detailed_state: DetailedState;
  message: string;
  unity_catalog_provisioning_state: "PROVISIONING" | "ACTIVE" | "FAILED";
  /** The initial snapshot's progress (kept once online: see the README). */
  initial_progress?: SyncProgress;
  /** The running update's progress. */
  update_progress?: SyncProgress;
  /** The last source version whose changes are all in the table. */
  last_processed_commit_version?: number;
  /** When that version's data became available in the table. */
  last_processed_time?: string;
  last_sync?: { start: string; end: string; commit_version: number; commit_time: string };
  failed_time?: string;
  /** A full refresh is running: `last_sync` is withheld until it completes (as the service documents). */
  full_refresh_running?: boolean;
  /** A CONTINUOUS pipeline stopped through the Pipelines API stays stopped until an update is started. */
  continuous_stopped?: boolean;
}

export function newSyncState(init: {
  pipelineId: string;
  policy: SchedulingPolicy;
  primaryKey: string[];
  indexes: IndexDefinition[];
  creator: string;
}): SyncState {
  return {
    pipeline_id: init.pipelineId,
    scheduling_policy: init.policy,
    primary_key_columns: init.primaryKey,
    extra_index_definitions: init.indexes,
    creator: init.creator,
    detailed_state: "SYNCED_TABLE_PROVISIONING",
    message: "Synced table is being provisioned.",
    unity_catalog_provisioning_state: "PROVISIONING",
  };
}

const TRIGGERED_STATES: readonly DetailedState[] = [
  "SYNCED_TABLE_ONLINE_TRIGGERED_UPDATE",
  "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE",
];
const FAILED_STATES: readonly DetailedState[] = [
  "SYNCED_TABLE_ONLINE_PIPELINE_FAILED",
  "SYNCED_TABLE_OFFLINE_FAILED",
];

export function isProvisioning(state: SyncState): boolean {
  return state.detailed_state.startsWith("SYNCED_TABLE_PROVISIONING");
}

export function isOnline(state: SyncState): boolean {
  return state.detailed_state.startsWith("SYNCED_TABLE_ONLINE");
}

function progressJson(p: SyncProgress, withPhase: boolean) {
  const { provisioning_phase, ...rest } = p;
  return withPhase && provisioning_phase ? { ...rest, provisioning_phase } : rest;
}

/**
 * `data_synchronization_status` of the `database` API. One detailed status object per state, as the SDK
 * documents them: `triggered_update_status` in TRIGGERED_UPDATE / NO_PENDING_UPDATE,
 * `continuous_update_status` in CONTINUOUS_UPDATE, `failed_status` in the failed states,
 * `provisioning_status` while provisioning (and kept afterwards: see the README).
 */
export function databaseSyncStatus(s: SyncState) {
  const status: { detailed_state: DetailedState; message: string; pipeline_id: string } & Record<
    string,
    unknown
  > = {
    detailed_state: s.detailed_state,
    message: s.message,
    pipeline_id: s.pipeline_id,
  };
  if (s.last_sync && !s.full_refresh_running) {
    status.last_sync = {
      sync_start_timestamp: s.last_sync.start,
      sync_end_timestamp: s.last_sync.end,
      delta_table_sync_info: {
        delta_commit_timestamp: s.last_sync.commit_time,
        delta_commit_version: s.last_sync.commit_version,
      },
    };
  }
  if (s.initial_progress) {
    status.provisioning_status = { initial_pipeline_sync_progress: progressJson(s.initial_progress, true) };
  }
  const processed = {
    ...(s.last_processed_commit_version !== undefined
      ? { last_processed_commit_version: s.last_processed_commit_version }
      : {}),
    ...(s.last_processed_time ? { timestamp: s.last_processed_time } : {}),
  };
  if (TRIGGERED_STATES.includes(s.detailed_state)) {
    status.triggered_update_status = {
      ...processed,
      ...(s.update_progress ? { triggered_update_progress: progressJson(s.update_progress, false) } : {}),
    };
  } else if (s.detailed_state === "SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE") {
    status.continuous_update_status = {
      ...processed,
      ...(s.initial_progress
        ? { initial_pipeline_sync_progress: progressJson(s.initial_progress, true) }
        : {}),
    };
  } else if (FAILED_STATES.includes(s.detailed_state)) {
    status.failed_status = {
      ...(s.last_processed_commit_version !== undefined
        ? { last_processed_commit_version: s.last_processed_commit_version }
        : {}),
      timestamp: s.failed_time ?? new Date().toISOString(),
    };
  }
  return status;
}

/**
 * `status` of a synced table in the `postgres` API (Autoscaling): the same facts under its names (`*_time`
 * instead of `*_timestamp`, the progress of the running work in `ongoing_sync_progress`). The caller adds
 * what only it knows (`project`).
 */
export function postgresSyncStatus(s: SyncState) {
  const ongoing = s.update_progress ?? (isProvisioning(s) ? s.initial_progress : undefined);
  return {
    detailed_state: s.detailed_state,
    message: s.message,
    pipeline_id: s.pipeline_id,
    unity_catalog_provisioning_state: s.unity_catalog_provisioning_state,
    ...(isProvisioning(s) && s.initial_progress?.provisioning_phase
      ? { provisioning_phase: s.initial_progress.provisioning_phase }
      : {}),
    ...(s.last_processed_commit_version !== undefined
      ? { last_processed_commit_version: s.last_processed_commit_version }
      : {}),
    ...(s.last_processed_time ? { last_sync_time: s.last_processed_time } : {}),
    ...(ongoing ? { ongoing_sync_progress: progressJson(ongoing, false) } : {}),
    ...(s.last_sync && !s.full_refresh_running
      ? {
          last_sync: {
            sync_start_time: s.last_sync.start,
            sync_end_time: s.last_sync.end,
            delta_table_sync_info: {
              delta_commit_time: s.last_sync.commit_time,
              delta_commit_version: s.last_sync.commit_version,
            },
          },
        }
      : {}),
  };
}
