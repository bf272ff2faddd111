import type { DatabaseCatalog, DatabaseInstance, SyncedDatabaseTable } from "@lakebase-orders/lakebase-api";
import type { ResourceView } from "../admin/resources.ts";
import type { RecordedOperation } from "../operations/recorded.ts";

export interface InstanceStatus {
  name: string;
  state: string | null;
  capacity: string | null;
  nodeCount: number | null;
  readWriteDns: string | null;
  pgVersion: string | null;
  stopped: boolean;
  createdAt: string | null;
}

export interface CatalogStatus {
  name: string;
  databaseName: string;
}

export interface SyncProgress {
  syncedRows: number;
  totalRows: number;
  fraction: number;
}

export interface SyncedTableStatus {
  name: string;
  state: string | null;
  detailedState: string | null;
  progress: SyncProgress | null;
  lastSyncAt: string | null;
  pipelineId: string | null;
  message: string | null;
}

export interface ResourceSnapshot {
  instance: InstanceStatus | null;
  catalog: CatalogStatus | null;
  syncedTable: SyncedTableStatus | null;
  /** A flavour that has more resources than these three (Autoscaling) lists them all here. */
  resources?: ResourceView[];
}

/**
 * A snapshot as the status reader takes it: the resources, and the operation they carry themselves (read
 * back from Databricks, so the same for every process). Not shown as such: the status judges it first.
 */
export interface ObservedSnapshot extends ResourceSnapshot {
  recorded: RecordedOperation | null;
}

export function instanceStatus(i: DatabaseInstance): InstanceStatus {
  return {
    name: i.name,
    state: i.state ?? null,
    capacity: i.effective_capacity ?? i.capacity ?? null,
    nodeCount: i.effective_node_count ?? i.node_count ?? null,
    readWriteDns: i.read_write_dns ?? null,
    pgVersion: i.pg_version ?? null,
    stopped: i.effective_stopped ?? i.stopped ?? i.state === "STOPPED",
    createdAt: i.creation_time ?? null,
  };
}

export function catalogStatus(c: DatabaseCatalog): CatalogStatus {
  return { name: c.name, databaseName: c.database_name };
}

export function syncedTableStatus(t: SyncedDatabaseTable): SyncedTableStatus {
  const sync = t.data_synchronization_status;
  const p =
    sync?.provisioning_status?.initial_pipeline_sync_progress ??
    sync?.continuous_update_status?.initial_pipeline_sync_progress;
  const progress: SyncProgress | null = p
    ? {
        syncedRows: p.synced_row_count ?? 0,
        totalRows: p.total_row_count ?? 0,
        fraction: p.sync_progress_completion ?? 0,
      }
    : null;
  const lastSync = sync?.last_sync as
    | { sync_end_timestamp?: string; sync_start_timestamp?: string }
    | undefined;
  return {
    name: t.name,
    state: t.unity_catalog_provisioning_state ?? null,
    detailedState: sync?.detailed_state ?? null,
    progress,
    lastSyncAt: lastSync?.sync_end_timestamp ?? lastSync?.sync_start_timestamp ?? null,
    pipelineId: sync?.pipeline_id ?? null,
    message: sync?.message ?? null,
  };
}

/** "x of y rows, z %" for messages. */
export function describeProgress(p: SyncProgress | null): string {
  if (!p) return "progress unknown";
  return `${p.syncedRows} of ${p.totalRows} rows, ${Math.floor(p.fraction * 100)} %`;
}
