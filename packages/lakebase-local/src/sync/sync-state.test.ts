import { describe, expect, it } from "vitest";
import { databaseSyncStatus, newSyncState, postgresSyncStatus, type SyncState } from "./sync-state.ts";

function online(over: Partial<SyncState> = {}): SyncState {
  return {
    ...newSyncState({
      pipelineId: "p-1",
      policy: "TRIGGERED",
      primaryKey: ["o_orderkey"],
      indexes: [],
      creator: "a@b.c",
    }),
    detailed_state: "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE",
    message: "online",
    unity_catalog_provisioning_state: "ACTIVE",
    last_processed_commit_version: 7,
    last_processed_time: "2026-12-06T10:00:02.000Z",
    last_sync: {
      start: "2026-12-06T10:00:00.000Z",
      end: "2026-12-06T10:00:02.000Z",
      commit_version: 7,
      commit_time: "2026-12-06T09:59:59.000Z",
    },
    ...over,
  };
}

describe("the synced table status in both APIs", () => {
  it("names the same facts *_timestamp in the database API and *_time in the postgres API", () => {
    const s = online();
    expect(databaseSyncStatus(s)).toEqual({
      detailed_state: "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE",
      message: "online",
      pipeline_id: "p-1",
      last_sync: {
        sync_start_timestamp: "2026-12-06T10:00:00.000Z",
        sync_end_timestamp: "2026-12-06T10:00:02.000Z",
        delta_table_sync_info: {
          delta_commit_timestamp: "2026-12-06T09:59:59.000Z",
          delta_commit_version: 7,
        },
      },
      triggered_update_status: { last_processed_commit_version: 7, timestamp: "2026-12-06T10:00:02.000Z" },
    });
    expect(postgresSyncStatus(s)).toEqual({
      detailed_state: "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE",
      message: "online",
      pipeline_id: "p-1",
      unity_catalog_provisioning_state: "ACTIVE",
      last_processed_commit_version: 7,
      last_sync_time: "2026-12-06T10:00:02.000Z",
      last_sync: {
        sync_start_time: "2026-12-06T10:00:00.000Z",
        sync_end_time: "2026-12-06T10:00:02.000Z",
        delta_table_sync_info: { delta_commit_time: "2026-12-06T09:59:59.000Z", delta_commit_version: 7 },
      },
    });
  });

  it("shows one detailed status per state, the running update's progress, and no last_sync during a full refresh", () => {
    const progress = {
      synced_row_count: 5,
      total_row_count: 10,
      sync_progress_completion: 0.5,
      estimated_completion_time_seconds: 1,
      latest_version_currently_processing: 8,
    };
    const running = online({
      detailed_state: "SYNCED_TABLE_ONLINE_TRIGGERED_UPDATE",
      update_progress: progress,
    });
    expect(databaseSyncStatus(running).triggered_update_status).toEqual({
      last_processed_commit_version: 7,
      timestamp: "2026-12-06T10:00:02.000Z",
      triggered_update_progress: progress,
    });
    expect(postgresSyncStatus(running).ongoing_sync_progress).toEqual(progress);

    const continuous = databaseSyncStatus(
      online({ detailed_state: "SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE" }),
    );
    expect(continuous.continuous_update_status).toEqual({
      last_processed_commit_version: 7,
      timestamp: "2026-12-06T10:00:02.000Z",
    });
    expect(continuous.triggered_update_status).toBeUndefined();

    const failed = databaseSyncStatus(
      online({
        detailed_state: "SYNCED_TABLE_ONLINE_PIPELINE_FAILED",
        failed_time: "2026-12-06T11:00:00.000Z",
      }),
    );
    expect(failed.failed_status).toEqual({
      last_processed_commit_version: 7,
      timestamp: "2026-12-06T11:00:00.000Z",
    });
    expect(failed.triggered_update_status).toBeUndefined();

    const full = online({
      detailed_state: "SYNCED_TABLE_ONLINE_TRIGGERED_UPDATE",
      full_refresh_running: true,
    });
    expect(databaseSyncStatus(full).last_sync).toBeUndefined();
    expect(postgresSyncStatus(full).last_sync).toBeUndefined();
  });
});
