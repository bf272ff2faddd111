import type { IndexDefinition, SyncState } from "../sync/sync-state.ts";
import type { AclEntry } from "./acl.ts";
import type { PostgresState } from "./postgres-records.ts";

export type InstanceState = "STARTING" | "AVAILABLE" | "DELETING" | "STOPPED" | "UPDATING" | "FAILING_OVER";

export type { AclEntry, PermissionLevel } from "./acl.ts";

export interface InstanceRecord {
  name: string;
  uid: string;
  capacity: string;
  state: InstanceState;
  stopped: boolean;
  node_count: number;
  enable_readable_secondaries: boolean;
  retention_window_in_days: number;
  custom_tags: { key: string; value: string }[];
  creator: string;
  creation_time: string;
  /** Logical databases; `databricks_postgres` always. */
  databases: string[];
  /** Direct grants (the creator's CAN_MANAGE first). Absent in state files older than permissions. */
  acl?: AclEntry[];
}

export interface CatalogRecord {
  name: string;
  uid: string;
  database_instance_name: string;
  database_name: string;
  create_database_if_not_exists: boolean;
  /** A catalog on an Autoscaling branch (`projects/p/branches/b`); `database_instance_name` is then the project id. */
  branch?: string;
  create_time?: string;
}

export interface SyncedTableRecord {
  name: string;
  database_instance_name: string;
  logical_database_name: string;
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
   * The pipeline's state, flavour-neutral (src/sync): rendered as `unity_catalog_provisioning_state` and
   * `data_synchronization_status`. State files written before it hold those two instead (read once, then
   * converted).
   */
  sync: SyncState;
}

export interface LocalState {
  version: 1;
  /** Prefix of every physical database this LakebaseLocal owns. */
  localId: string;
  /** Front-door port per instance name, stable while the name is reused. */
  ports: Record<string, number>;
  instances: Record<string, InstanceRecord>;
  catalogs: Record<string, CatalogRecord>;
  syncedTables: Record<string, SyncedTableRecord>;
  /** Autoscaling projects and what they hold (absent in state files written before them). */
  postgres?: PostgresState;
  seeded: boolean;
}

export function emptyState(localId: string): LocalState {
  return { version: 1, localId, ports: {}, instances: {}, catalogs: {}, syncedTables: {}, seeded: false };
}
