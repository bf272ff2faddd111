// The `postgres` API's wire shapes (Lakebase Autoscaling), as Databricks' SDKs, CLI and docs describe them
// (/work/shared/reference/lakebase-autoscaling.md): snake_case; a resource is sent as `{spec}` and read
// back with `status` (GET never returns `spec`); ids of new resources go in the query string. Fields the
// service may add later are allowed (every object is open), and every output field is optional: the app
// reads what it needs and tolerates what it does not know.

/** A duration as the API writes it: seconds with an `s`, e.g. `"3600s"`. */
export type Duration = `${number}s`;

export type EndpointType = "ENDPOINT_TYPE_READ_WRITE" | "ENDPOINT_TYPE_READ_ONLY";
export type EndpointState = "ACTIVE" | "IDLE" | "INIT" | "DEGRADED";
export type BranchState = "INIT" | "READY" | "ARCHIVED" | "IMPORTING" | "RESETTING" | "DELETED";
export type IdentityType = "USER" | "SERVICE_PRINCIPAL" | "GROUP";
export type AuthMethod = "LAKEBASE_OAUTH_V1" | "PG_PASSWORD_SCRAM_SHA_256" | "NO_LOGIN";
export type SchedulingPolicy = "SNAPSHOT" | "TRIGGERED" | "CONTINUOUS";

/** Compute settings shared by a project's defaults and an endpoint. */
export interface EndpointSettings {
  /** At least 0.5. */
  autoscaling_limit_min_cu?: number;
  /** At most 64, and at most 16 above the minimum. */
  autoscaling_limit_max_cu?: number;
  /** 60s to 604800s: idle time before the compute scales to zero. Exclusive with `no_suspension`. */
  suspend_timeout_duration?: Duration;
  no_suspension?: boolean;
  pg_settings?: Record<string, string>;
}

export interface ProjectSpec {
  display_name?: string;
  /** 16 or 17 (newer docs add 18). */
  pg_version?: number;
  default_branch?: string;
  /** 2 to 35 days, e.g. `"604800s"`. */
  history_retention_duration?: Duration;
  default_endpoint_settings?: EndpointSettings;
  enable_pg_native_login?: boolean;
}

/** The body of a project create: the spec, and the create-only specs of what comes with it. */
export interface ProjectCreateBody {
  spec?: ProjectSpec;
  initial_endpoint_spec?: EndpointSpec;
  initial_branch_spec?: { is_protected?: boolean };
  initial_database_spec?: { postgres_database?: string };
}

export interface Project {
  /** `projects/{project_id}` */
  name: string;
  project_id?: string;
  uid?: string;
  create_time?: string;
  update_time?: string;
  /** Set once soft-deleted (then `purge_time` says when it goes for good). */
  delete_time?: string;
  purge_time?: string;
  status?: ProjectSpec & {
    owner?: string;
    compute_last_active_time?: string;
    default_endpoint_settings?: EndpointSettings;
  };
}

export interface BranchSpec {
  /** The parent branch's full name; default: the project's default branch. */
  source_branch?: string;
  /** Branch at a past point within the history window (exclusive with `source_branch_lsn`). */
  source_branch_time?: string;
  source_branch_lsn?: string;
  /** Exactly one of `ttl`, `expire_time`, `no_expiry`. */
  ttl?: Duration;
  expire_time?: string;
  no_expiry?: boolean;
  is_protected?: boolean;
}

export interface Branch {
  /** `projects/{p}/branches/{b}` */
  name: string;
  branch_id?: string;
  /** The project's name. */
  parent?: string;
  uid?: string;
  create_time?: string;
  update_time?: string;
  status?: {
    current_state?: BranchState;
    pending_state?: BranchState;
    state_change_time?: string;
    /** The project's default branch (the root `production` at first). */
    default?: boolean;
    is_protected?: boolean;
    expire_time?: string;
    source_branch?: string;
    source_branch_time?: string;
    source_branch_lsn?: string;
    logical_size_bytes?: number;
    delete_time?: string;
    purge_time?: string;
  };
}

export interface EndpointSpec extends EndpointSettings {
  /** Required at create; one READ_WRITE endpoint per branch (its implicit `primary`). */
  endpoint_type?: EndpointType;
  /** Refuses connections and suspends the compute; a connection cannot wake a disabled endpoint. */
  disabled?: boolean;
  /** High availability: min = max; more than 1 adds secondaries. */
  group?: { min?: number; max?: number; enable_readable_secondaries?: boolean };
  settings?: { pg_settings?: Record<string, string> };
}

export interface EndpointHosts {
  /** Where to connect (port 5432); starts with the endpoint's uid (`ep-...`). */
  host?: string;
  read_only_host?: string;
  read_write_pooled_host?: string;
  read_only_pooled_host?: string;
}

export interface Endpoint {
  /** `projects/{p}/branches/{b}/endpoints/{e}` */
  name: string;
  endpoint_id?: string;
  /** The branch's name. */
  parent?: string;
  uid?: string;
  create_time?: string;
  update_time?: string;
  status?: EndpointSettings & {
    endpoint_type?: EndpointType;
    current_state?: EndpointState;
    pending_state?: EndpointState;
    disabled?: boolean;
    last_active_time?: string;
    hosts?: EndpointHosts;
    group?: { min?: number; max?: number; enable_readable_secondaries?: boolean };
    settings?: { pg_settings?: Record<string, string> };
  };
  /**
   * Not in the real API (every endpoint listens on 5432 at its own host): the local Lakebase's front-door
   * port for this endpoint (packages/lakebase-local).
   */
  x_local_pg_port?: number;
}

export interface DatabaseSpec {
  /** The Postgres database's name (default: the resource id). */
  postgres_database?: string;
  /** Its owner: a role's full name. */
  role?: string;
}

export interface Database {
  /** `projects/{p}/branches/{b}/databases/{d}` */
  name: string;
  database_id?: string;
  parent?: string;
  create_time?: string;
  update_time?: string;
  status?: DatabaseSpec;
}

export interface RoleSpec {
  /** The Postgres role: an e-mail, a service principal's application id, or a plain name. */
  postgres_role?: string;
  identity_type?: IdentityType;
  auth_method?: AuthMethod;
  attributes?: { createdb?: boolean; createrole?: boolean; bypassrls?: boolean };
  membership_roles?: "DATABRICKS_SUPERUSER"[];
}

export interface Role {
  /** `projects/{p}/branches/{b}/roles/{r}` */
  name: string;
  role_id?: string;
  parent?: string;
  create_time?: string;
  update_time?: string;
  status?: RoleSpec;
}

export interface CatalogSpec {
  postgres_database: string;
  /** The branch's full name. */
  branch: string;
  create_database_if_missing?: boolean;
}

export interface Catalog {
  /** `catalogs/{catalog_id}` */
  name: string;
  catalog_id?: string;
  uid?: string;
  create_time?: string;
  update_time?: string;
  status?: Partial<CatalogSpec> & { project?: string };
}

export interface SyncedTableSpec {
  /** The Delta source, `catalog.schema.table`. */
  source_table_full_name: string;
  primary_key_columns: string[];
  timeseries_key?: string;
  scheduling_policy: SchedulingPolicy;
  branch?: string;
  /** Required outside a Lakebase catalog. */
  postgres_database?: string;
  create_database_objects_if_missing?: boolean;
  new_pipeline_spec?: { storage_catalog?: string; storage_schema?: string };
  existing_pipeline_id?: string;
}

export interface SyncedTableProgress {
  estimated_completion_time_seconds?: number;
  latest_version_currently_processing?: number;
  sync_progress_completion?: number;
  synced_row_count?: number;
  total_row_count?: number;
}

export interface SyncedTable {
  /** `synced_tables/{catalog}.{schema}.{table}` */
  name: string;
  synced_table_id?: string;
  uid?: string;
  create_time?: string;
  status?: Partial<SyncedTableSpec> & {
    /** `SYNCED_TABLE_PROVISIONING`, ..., `SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE`, `SYNCED_TABLE_OFFLINE_FAILED`. */
    detailed_state?: string;
    message?: string;
    pipeline_id?: string;
    project?: string;
    unity_catalog_provisioning_state?: string;
    provisioning_phase?: string;
    ongoing_sync_progress?: SyncedTableProgress;
    last_sync_time?: string;
    last_sync?: { sync_start_time?: string; sync_end_time?: string };
  };
}

/** The body of `POST /credentials`. */
export interface CredentialRequest {
  /** The endpoint's full name: the token logs in there only. */
  endpoint: string;
  /** 300s to 3600s. */
  ttl?: Duration;
  expire_time?: string;
  claims?: { permission_set: "READ_ONLY"; resources: { table_name: string }[] }[];
  group_name?: string;
}

export interface Credential {
  token: string;
  /** Note: `expire_time`, not the `database` API's `expiration_time`. */
  expire_time: string;
}

/** The outcome of a failed operation, in the API's own words. */
export interface OperationErrorBody {
  error_code?: string;
  message?: string;
  details?: unknown[];
}

/**
 * What every mutation answers: poll `GET /{name}` until `done`, then `response` is the resource (Empty,
 * `{"@type": ".../google.protobuf.Empty"}`, for a delete) or `error` says why not.
 */
export interface Operation<T = unknown> {
  /** `<resource name>/operations/<id>` */
  name: string;
  done?: boolean;
  metadata?: { "@type"?: string };
  response?: T;
  error?: OperationErrorBody;
}

/** One page of a list and the token of the next (absent on the last page). */
export interface Page<T> {
  items: T[];
  nextPageToken: string | null;
}

export interface PageRequest {
  /** Default (service): 50; at most 100. */
  pageSize?: number;
  pageToken?: string;
}
