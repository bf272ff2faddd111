import type { IndexDefinition, SyncState } from "../sync/sync-state.ts";
import type { AclEntry } from "./acl.ts";

/**
 * The Autoscaling (`postgres` API) resources as the local Lakebase keeps them: the API's `status` (what GET
 * returns, never `spec`) plus what only the local Lakebase needs. Names are full resource names
 * (`projects/p/branches/b/endpoints/e`), which are also the keys of every map.
 */
export type BranchState = "INIT" | "READY" | "ARCHIVED" | "IMPORTING" | "RESETTING" | "DELETED";
export type EndpointState = "ACTIVE" | "IDLE" | "INIT" | "DEGRADED";
export type EndpointType = "ENDPOINT_TYPE_READ_WRITE" | "ENDPOINT_TYPE_READ_ONLY";

export interface EndpointSettingsStatus {
  autoscaling_limit_min_cu: number;
  autoscaling_limit_max_cu: number;
  /** `"86400s"`; absent with `no_suspension`. */
  suspend_timeout_duration?: string;
  no_suspension?: boolean;
  pg_settings?: Record<string, string>;
}

export interface ProjectRecord {
  name: string;
  project_id: string;
  uid: string;
  create_time: string;
  update_time: string;
  delete_time?: string;
  purge_time?: string;
  status: {
    display_name: string;
    pg_version: number;
    history_retention_duration: string;
    default_branch: string;
    default_endpoint_settings: EndpointSettingsStatus;
    enable_pg_native_login: boolean;
    owner: string;
    compute_last_active_time?: string;
  };
  /** Direct grants on `database-projects/{id}` (the owner's CAN_MANAGE first). */
  acl: AclEntry[];
  /** What the `database` API sets on the project seen as an instance and that has no Autoscaling meaning. */
  instance?: { capacity: string; node_count: number; custom_tags: { key: string; value: string }[] };
}

export interface BranchRecord {
  name: string;
  branch_id: string;
  /** The project's name. */
  parent: string;
  uid: string;
  create_time: string;
  update_time: string;
  status: {
    current_state: BranchState;
    pending_state?: BranchState;
    state_change_time: string;
    default: boolean;
    is_protected: boolean;
    expire_time?: string;
    source_branch?: string;
    source_branch_lsn?: string;
    source_branch_time?: string;
    logical_size_bytes: number;
    delete_time?: string;
    purge_time?: string;
  };
  /** The project's root branch (`production`): it goes only with its project. */
  root: boolean;
}

export interface EndpointRecord {
  name: string;
  endpoint_id: string;
  /** The branch's name. */
  parent: string;
  uid: string;
  create_time: string;
  update_time: string;
  status: EndpointSettingsStatus & {
    endpoint_type: EndpointType;
    current_state: EndpointState;
    pending_state?: EndpointState;
    disabled: boolean;
    last_active_time?: string;
    group: { min: number; max: number; enable_readable_secondaries: boolean };
  };
  /** The branch's implicit read-write endpoint `primary`: it goes only with its branch. */
  implicit: boolean;
}

export interface DatabaseRecord {
  name: string;
  database_id: string;
  parent: string;
  create_time: string;
  update_time: string;
  status: { postgres_database: string; role: string };
}

export type IdentityType = "USER" | "SERVICE_PRINCIPAL" | "GROUP" | "IDENTITY_TYPE_UNSPECIFIED";
export type AuthMethod = "LAKEBASE_OAUTH_V1" | "PG_PASSWORD_SCRAM_SHA_256" | "NO_LOGIN";

export interface RoleRecord {
  name: string;
  role_id: string;
  parent: string;
  create_time: string;
  update_time: string;
  status: {
    postgres_role: string;
    identity_type: IdentityType;
    auth_method: AuthMethod;
    attributes: { createdb: boolean; createrole: boolean; bypassrls: boolean };
    membership_roles?: "DATABRICKS_SUPERUSER"[];
  };
}

/**
 * A synced table on a branch's database (created through either API on a project). Keyed by its Unity
 * Catalog name `catalog.schema.table`; the `postgres` API names it `synced_tables/<that>`.
 */
export interface BranchSyncedTableRecord {
  name: string;
  uid: string;
  create_time: string;
  branch: string;
  postgres_database: string;
  spec: {
    source_table_full_name: string;
    primary_key_columns: string[];
    timeseries_key?: string;
    scheduling_policy: string;
    create_database_objects_if_missing?: boolean;
    existing_pipeline_id?: string;
    new_pipeline_spec?: { storage_catalog?: string; storage_schema?: string };
    extra_index_definitions?: IndexDefinition[];
  };
  /**
   * The pipeline's state, flavour-neutral (src/sync): rendered as the `postgres` API's `status` and the
   * `database` API's `data_synchronization_status`.
   */
  sync: SyncState;
}

export interface PostgresState {
  projects: Record<string, ProjectRecord>;
  branches: Record<string, BranchRecord>;
  endpoints: Record<string, EndpointRecord>;
  databases: Record<string, DatabaseRecord>;
  roles: Record<string, RoleRecord>;
  syncedTables: Record<string, BranchSyncedTableRecord>;
}

export function emptyPostgresState(): PostgresState {
  return { projects: {}, branches: {}, endpoints: {}, databases: {}, roles: {}, syncedTables: {} };
}
