import type { Branch, Catalog, Endpoint, Project, SyncedTable } from "@lakebase-orders/lakebase-api";
import { idOf } from "@lakebase-orders/lakebase-api";
import type { BranchView, EndpointView, ResourceView } from "../admin/resources.ts";
import type { CatalogStatus, InstanceStatus, SyncedTableStatus } from "../status/snapshot.ts";

// The `postgres` API's resources as the admin shows them: the resource views of the console, and the
// Provisioned-shaped fields of the status (instance, catalog, synced table), which keep every reader of the
// status (availability, the settled rule, the console) working on Autoscaling unchanged.

/** `"3600s"` as seconds; null when absent or not a duration. */
export function seconds(duration: string | undefined): number | null {
  const m = duration ? /^(\d+(?:\.\d+)?)s$/.exec(duration) : null;
  return m?.[1] ? Math.round(Number(m[1])) : null;
}

/** The project (its owner's e-mail is left out: the status is for every user to see). */
export function projectView(p: Project, inUse: boolean): ResourceView {
  return {
    kind: "project",
    name: p.name,
    id: p.project_id ?? idOf(p.name),
    state: p.delete_time ? "DELETED" : "READY",
    parent: null,
    inUse,
    createdAt: p.create_time ?? null,
    detail: {
      displayName: p.status?.display_name ?? null,
      pgVersion: p.status?.pg_version ?? null,
      historyRetentionSeconds: seconds(p.status?.history_retention_duration),
      defaultBranch: p.status?.default_branch ?? null,
      lastActiveAt: p.status?.compute_last_active_time ?? null,
    },
  };
}

export function branchView(b: Branch, appBranch: string): BranchView {
  const s = b.status ?? {};
  return {
    kind: "branch",
    name: b.name,
    id: b.branch_id ?? idOf(b.name),
    state: s.current_state ?? null,
    parent: b.parent ?? null,
    inUse: b.name === appBranch,
    createdAt: b.create_time ?? null,
    detail: {
      isDefault: s.default ?? false,
      isProtected: s.is_protected ?? false,
      expiresAt: s.expire_time ?? null,
      sourceBranch: s.source_branch ?? null,
      sourceBranchTime: s.source_branch_time ?? null,
      logicalSizeBytes: s.logical_size_bytes ?? null,
    },
  };
}

export function endpointView(e: Endpoint, appEndpoint: string): EndpointView {
  const s = e.status ?? {};
  return {
    kind: "endpoint",
    name: e.name,
    id: e.endpoint_id ?? idOf(e.name),
    state: s.current_state ?? null,
    parent: e.parent ?? null,
    inUse: e.name === appEndpoint,
    createdAt: e.create_time ?? null,
    detail: {
      type: s.endpoint_type === "ENDPOINT_TYPE_READ_ONLY" ? "read-only" : "read-write",
      minCu: s.autoscaling_limit_min_cu ?? null,
      maxCu: s.autoscaling_limit_max_cu ?? null,
      suspendTimeoutSeconds: s.no_suspension ? null : seconds(s.suspend_timeout_duration),
      disabled: s.disabled ?? false,
      lastActiveAt: s.last_active_time ?? null,
    },
  };
}

export function catalogView(c: Catalog, id: string): ResourceView {
  return {
    kind: "catalog",
    name: c.name,
    id,
    state: null,
    parent: c.status?.branch ?? null,
    inUse: true,
    createdAt: c.create_time ?? null,
    detail: { databaseName: c.status?.postgres_database ?? null, branch: c.status?.branch ?? null },
  };
}

export function syncedTableView(t: SyncedTableStatus, catalog: string | null): ResourceView {
  return {
    kind: "syncedTable",
    name: t.name,
    id: t.name,
    state: t.state,
    parent: catalog,
    inUse: true,
    createdAt: null,
    detail: { detailedState: t.detailedState, progress: t.progress, lastSyncAt: t.lastSyncAt },
  };
}

/**
 * The project as the `database` API shows it (Databricks serves every project as an instance of its id):
 * its state is the app's read-write endpoint's: STOPPED while disabled, STARTING until it exists and runs,
 * AVAILABLE otherwise (a compute scaled to zero is AVAILABLE: the next connection wakes it).
 */
export function instanceOfProject(
  p: Project,
  endpoint: Endpoint | null,
  branch: Branch | null,
): InstanceStatus {
  const s = endpoint?.status;
  const disabled = s?.disabled ?? false;
  const state = disabled
    ? "STOPPED"
    : !endpoint || s?.current_state === "INIT" || branch?.status?.current_state === "INIT"
      ? "STARTING"
      : "AVAILABLE";
  const min = s?.autoscaling_limit_min_cu;
  const max = s?.autoscaling_limit_max_cu;
  return {
    name: p.project_id ?? idOf(p.name),
    state,
    capacity: min !== undefined && max !== undefined ? `${min}-${max} CU` : null,
    nodeCount: s?.group?.max ?? 1,
    readWriteDns: s?.hosts?.host ?? null,
    pgVersion: p.status?.pg_version ? `PG_VERSION_${p.status.pg_version}` : null,
    stopped: disabled,
    createdAt: p.create_time ?? null,
  };
}

export function catalogStatusOf(c: Catalog, id: string): CatalogStatus {
  return { name: id, databaseName: c.status?.postgres_database ?? "" };
}

/** The synced table as the status shows it, from the `postgres` API's `status` (its `*_time` fields). */
export function syncedTableStatusOf(t: SyncedTable, fullName: string): SyncedTableStatus {
  const s = t.status ?? {};
  const p = s.ongoing_sync_progress;
  return {
    name: fullName,
    state: s.unity_catalog_provisioning_state ?? null,
    detailedState: s.detailed_state ?? null,
    progress: p
      ? {
          syncedRows: p.synced_row_count ?? 0,
          totalRows: p.total_row_count ?? 0,
          fraction: p.sync_progress_completion ?? 0,
        }
      : null,
    lastSyncAt: s.last_sync?.sync_end_time ?? s.last_sync_time ?? s.last_sync?.sync_start_time ?? null,
    pipelineId: s.pipeline_id ?? null,
    message: s.message ?? null,
  };
}
