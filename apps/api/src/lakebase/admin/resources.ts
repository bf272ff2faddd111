// The Lakebase resources as the console lists them, whatever the flavour: one entry per resource with its
// kind, full name, short id, state and parent, and a detail typed by kind. Provisioned shows its instance,
// catalog and synced table; Autoscaling its project, branches, the app branch's endpoints, catalog and synced
// table. No imports from the admin's port: the status snapshot and the port both name these.

export type ResourceViewKind = "instance" | "project" | "branch" | "endpoint" | "catalog" | "syncedTable";

interface ResourceViewBase {
  /** The resource's full name (Autoscaling: `projects/p/branches/b`; Provisioned: its name). */
  name: string;
  /** Its own id, the last part of the name (what an admin types to confirm a delete). */
  id: string;
  /** Databricks' state word for it (e.g. `READY`, `ACTIVE`, `IDLE`, `AVAILABLE`), null when it has none. */
  state: string | null;
  /** The full name of the resource it belongs to (a branch's project, an endpoint's branch); null at the top. */
  parent: string | null;
  /** True for what the app itself is bound to (its project, branch and read-write endpoint). */
  inUse: boolean;
  createdAt: string | null;
}

export interface ProjectDetail {
  displayName: string | null;
  pgVersion: number | null;
  /** How far back a branch may be created from (point in time), in seconds. */
  historyRetentionSeconds: number | null;
  defaultBranch: string | null;
  lastActiveAt: string | null;
}

export interface BranchDetail {
  isDefault: boolean;
  isProtected: boolean;
  /** When it is deleted on its own (TTL or expire time); null: no expiry. */
  expiresAt: string | null;
  /** The branch it was created from, and the point in time (null: its head then). */
  sourceBranch: string | null;
  sourceBranchTime: string | null;
  logicalSizeBytes: number | null;
}

export interface EndpointDetail {
  type: "read-write" | "read-only";
  minCu: number | null;
  maxCu: number | null;
  /** Idle time before it scales to zero, in seconds; null: it never suspends. */
  suspendTimeoutSeconds: number | null;
  /** Refuses connections (stopped by an admin). */
  disabled: boolean;
  lastActiveAt: string | null;
}

export interface InstanceDetail {
  capacity: string | null;
  nodeCount: number | null;
  stopped: boolean;
}

export interface CatalogDetail {
  databaseName: string | null;
  /** Autoscaling: the branch whose database it registers. */
  branch: string | null;
}

export interface SyncedTableDetail {
  detailedState: string | null;
  /** Rows synced over rows to sync, while a sync runs. */
  progress: { syncedRows: number; totalRows: number; fraction: number } | null;
  lastSyncAt: string | null;
}

export type ResourceView =
  | (ResourceViewBase & { kind: "instance"; detail: InstanceDetail })
  | (ResourceViewBase & { kind: "project"; detail: ProjectDetail })
  | (ResourceViewBase & { kind: "branch"; detail: BranchDetail })
  | (ResourceViewBase & { kind: "endpoint"; detail: EndpointDetail })
  | (ResourceViewBase & { kind: "catalog"; detail: CatalogDetail })
  | (ResourceViewBase & { kind: "syncedTable"; detail: SyncedTableDetail });

export type BranchView = Extract<ResourceView, { kind: "branch" }>;
export type EndpointView = Extract<ResourceView, { kind: "endpoint" }>;

/** The parts of a snapshot the Provisioned resource list is made of (the snapshot types fit). */
interface ProvisionedParts {
  instance: {
    name: string;
    state: string | null;
    capacity: string | null;
    nodeCount: number | null;
    stopped: boolean;
    createdAt: string | null;
  } | null;
  catalog: { name: string; databaseName: string } | null;
  syncedTable: {
    name: string;
    state: string | null;
    detailedState: string | null;
    progress: { syncedRows: number; totalRows: number; fraction: number } | null;
    lastSyncAt: string | null;
  } | null;
  /** A flavour that lists more than the three (Autoscaling) carries its own list. */
  resources?: ResourceView[];
}

/** The snapshot's own list (Autoscaling), else the Provisioned three as resource views. */
export function resourcesOfSnapshot(s: ProvisionedParts): ResourceView[] {
  if (s.resources) return s.resources;
  const out: ResourceView[] = [];
  const i = s.instance;
  if (i) {
    out.push({
      kind: "instance",
      name: i.name,
      id: i.name,
      state: i.state,
      parent: null,
      inUse: true,
      createdAt: i.createdAt,
      detail: { capacity: i.capacity, nodeCount: i.nodeCount, stopped: i.stopped },
    });
  }
  if (s.catalog) {
    out.push({
      kind: "catalog",
      name: s.catalog.name,
      id: s.catalog.name,
      state: null,
      parent: i?.name ?? null,
      inUse: true,
      createdAt: null,
      detail: { databaseName: s.catalog.databaseName, branch: null },
    });
  }
  const t = s.syncedTable;
  if (t) {
    out.push({
      kind: "syncedTable",
      name: t.name,
      id: t.name,
      state: t.state,
      parent: s.catalog?.name ?? null,
      inUse: true,
      createdAt: null,
      detail: { detailedState: t.detailedState, progress: t.progress, lastSyncAt: t.lastSyncAt },
    });
  }
  return out;
}
