import { alreadyExists, invalidParameter, invalidState, notFound } from "../api-error.ts";
import type { Permissions } from "../identity/permissions.ts";
import type { ServiceContext } from "../state/context.ts";
import type { InstanceRecord, SyncedTableRecord } from "../state/records.ts";
import type { Pipelines } from "../sync/pipelines.ts";
import { checkSyncSpec, type SpecProblem } from "../sync/spec.ts";
import { type DetailedState, databaseSyncStatus, newSyncState, type SyncState } from "../sync/sync-state.ts";
import type { SyncTarget } from "../sync/target.ts";
import { UC_NAME } from "./names.ts";
import type { SyncedTableInput } from "./schemas.ts";

type Spec = SyncedTableInput["spec"];

/**
 * Synced database tables: a Postgres copy of a Unity Catalog table, kept by a sync pipeline (src/sync).
 * Creating and deleting one needs CAN_MANAGE on its instance (Unity Catalog privileges are not emulated).
 */
export class SyncedTables {
  readonly #ctx: ServiceContext;
  readonly #pipelines: Pipelines;
  readonly #permissions: Permissions;

  constructor(ctx: ServiceContext, pipelines: Pipelines, permissions: Permissions) {
    this.#ctx = ctx;
    this.#pipelines = pipelines;
    this.#permissions = permissions;
  }

  async create(identity: string, input: SyncedTableInput) {
    const { state, cluster } = this.#ctx;
    const parts = input.name.split(".");
    if (parts.length !== 3 || !parts.every((p) => UC_NAME.test(p))) {
      throw invalidParameter(`Invalid synced table name '${input.name}': expected catalog.schema.table.`);
    }
    const [catalogName, schema, table] = parts as [string, string, string];
    // One name space with the synced tables on projects' branches.
    const taken = () => state.syncedTables[input.name] ?? this.#ctx.postgres.syncedTables[input.name];
    if (taken()) throw alreadyExists(`Synced table '${input.name}' already exists.`);
    const target = this.#target(input, catalogName);
    this.#validateSpec(input.spec);

    const instance = this.#permissions.require(identity, target.instance, "CAN_MANAGE");
    if (instance.state !== "AVAILABLE") {
      throw invalidState(`Database instance '${instance.name}' is not AVAILABLE (state ${instance.state}).`);
    }
    this.#checkTargetFree(instance, target.database, `${schema}.${table}`);
    if (!instance.databases.includes(target.database)) {
      if (!input.spec.create_database_objects_if_missing) {
        throw notFound(`Database '${target.database}' does not exist in instance '${instance.name}'.`);
      }
      await cluster.createDatabase(this.#ctx.physical(instance.name, target.database));
      if (!instance.databases.includes(target.database)) instance.databases.push(target.database);
    }
    // Checked again: another create of the same name may have finished while the database was created.
    if (taken()) throw alreadyExists(`Synced table '${input.name}' already exists.`);

    const spec = input.spec;
    const record: SyncedTableRecord = {
      name: input.name,
      database_instance_name: instance.name,
      logical_database_name: target.database,
      spec: recordSpec(spec),
      sync: this.#pipelines.create({
        name: input.name,
        target: this.syncTarget(instance.name, target.database),
        spec,
        creator: identity,
        existingPipelineId: spec.existing_pipeline_id,
      }),
    };
    state.syncedTables[record.name] = record;
    await this.#ctx.save();
    return this.json(record);
  }

  get(name: string) {
    return this.json(this.#record(name));
  }

  async delete(identity: string, name: string, purgeData: boolean) {
    const record = this.#record(name);
    const instance = this.#ctx.state.instances[record.database_instance_name];
    if (instance) this.#permissions.require(identity, record.database_instance_name, "CAN_MANAGE");
    const purge = purgeData && instance && instance.state !== "DELETING";
    await this.#pipelines.delete(
      name,
      purge
        ? { target: this.syncTarget(record.database_instance_name, record.logical_database_name) }
        : undefined,
    );
    delete this.#ctx.state.syncedTables[name];
    await this.#ctx.save();
    this.#ctx.log({ event: "synced_table_deleted", name, purgeData });
    return {};
  }

  /** After loading persisted state: every synced table's pipeline resumes. */
  restore(): void {
    for (const record of Object.values(this.#ctx.state.syncedTables)) {
      record.sync ??= fromLegacy(
        record,
        this.#ctx.state.instances[record.database_instance_name]?.creator ?? "",
      );
      this.#pipelines.attach(
        record.name,
        record.sync,
        this.syncTarget(record.database_instance_name, record.logical_database_name),
      );
    }
  }

  json(record: SyncedTableRecord) {
    const { sync, ...rest } = structuredClone(record);
    return {
      ...rest,
      unity_catalog_provisioning_state: sync.unity_catalog_provisioning_state,
      data_synchronization_status: databaseSyncStatus(sync),
      effective_database_instance_name: record.database_instance_name,
      effective_logical_database_name: record.logical_database_name,
    };
  }

  /** Where a synced table of this instance's database lives, for the pipelines. */
  syncTarget(instanceName: string, database: string): SyncTarget {
    const { cluster } = this.#ctx;
    const physical = this.#ctx.physical(instanceName, database);
    return {
      connectionString: () => Promise.resolve(cluster.url(physical)),
      // The front door logs an identity in as the role named after it (compute/admission.ts).
      ensureRole: async (identity) => {
        await cluster.ensureLoginRole(identity);
        return identity;
      },
      canManage: (identity) => {
        const instance = this.#ctx.state.instances[instanceName];
        return instance !== undefined && this.#permissions.levelOf(identity, instance) === "CAN_MANAGE";
      },
    };
  }

  #record(name: string): SyncedTableRecord {
    const record = this.#ctx.state.syncedTables[name];
    if (!record) throw notFound(`Synced table '${name}' does not exist.`);
    return record;
  }

  /** The instance and logical database: the catalog's (a database catalog) or given explicitly. */
  #target(input: SyncedTableInput, catalogName: string): { instance: string; database: string } {
    const catalog = this.#ctx.state.catalogs[catalogName];
    const instance = input.database_instance_name;
    const database = input.logical_database_name;
    if (catalog) {
      if (instance && instance !== catalog.database_instance_name) {
        throw invalidParameter(
          `database_instance_name '${instance}' does not match catalog '${catalogName}' (instance '${catalog.database_instance_name}').`,
        );
      }
      if (database && database !== catalog.database_name) {
        throw invalidParameter(
          `logical_database_name '${database}' does not match catalog '${catalogName}' (database '${catalog.database_name}').`,
        );
      }
      return { instance: catalog.database_instance_name, database: catalog.database_name };
    }
    if (!instance || !database) {
      throw notFound(
        `Catalog '${catalogName}' does not exist; give database_instance_name and logical_database_name for a synced table in a standard catalog.`,
      );
    }
    return { instance, database };
  }

  #validateSpec(spec: Spec): void {
    const problem =
      checkSyncSpec(spec) ??
      (spec.existing_pipeline_id
        ? this.#pipelines.checkExistingPipeline(spec.existing_pipeline_id, spec.scheduling_policy)
        : !spec.new_pipeline_spec?.storage_catalog || !spec.new_pipeline_spec.storage_schema
          ? {
              kind: "invalid" as const,
              message:
                "spec.new_pipeline_spec.storage_catalog and storage_schema are required when no existing_pipeline_id is given.",
            }
          : undefined);
    if (problem) throw databaseApiError(problem);
  }

  /** One Postgres table is the target of at most one synced table. */
  #checkTargetFree(instance: InstanceRecord, database: string, schemaTable: string): void {
    for (const other of Object.values(this.#ctx.state.syncedTables)) {
      if (
        other.database_instance_name === instance.name &&
        other.logical_database_name === database &&
        other.name.split(".").slice(1).join(".") === schemaTable
      ) {
        throw alreadyExists(
          `Table ${schemaTable} in database '${database}' is already the target of '${other.name}'.`,
        );
      }
    }
  }
}

function databaseApiError(problem: SpecProblem) {
  return problem.kind === "not_found" ? notFound(problem.message) : invalidParameter(problem.message);
}

function recordSpec(spec: Spec): SyncedTableRecord["spec"] {
  return {
    source_table_full_name: spec.source_table_full_name,
    primary_key_columns: spec.primary_key_columns,
    scheduling_policy: spec.scheduling_policy,
    ...(spec.timeseries_key !== undefined ? { timeseries_key: spec.timeseries_key } : {}),
    ...(spec.create_database_objects_if_missing !== undefined
      ? { create_database_objects_if_missing: spec.create_database_objects_if_missing }
      : {}),
    ...(spec.existing_pipeline_id ? { existing_pipeline_id: spec.existing_pipeline_id } : {}),
    ...(spec.new_pipeline_spec
      ? {
          new_pipeline_spec: {
            storage_catalog: spec.new_pipeline_spec.storage_catalog,
            storage_schema: spec.new_pipeline_spec.storage_schema,
          },
        }
      : {}),
    ...(spec.extra_index_definitions ? { extra_index_definitions: spec.extra_index_definitions } : {}),
  };
}

/** A record from a state file written before the pipelines moved: its old status fields become a SyncState. */
function fromLegacy(record: SyncedTableRecord, creator: string): SyncState {
  const legacy = record as unknown as {
    unity_catalog_provisioning_state?: SyncState["unity_catalog_provisioning_state"];
    data_synchronization_status?: {
      detailed_state?: string;
      message?: string;
      pipeline_id?: string;
      last_sync?: { sync_start_timestamp?: string; sync_end_timestamp?: string };
    };
  };
  const old = legacy.data_synchronization_status ?? {};
  const state = newSyncState({
    pipelineId: old.pipeline_id ?? crypto.randomUUID(),
    policy: record.spec.scheduling_policy as SyncState["scheduling_policy"],
    primaryKey: record.spec.primary_key_columns,
    indexes: record.spec.extra_index_definitions ?? [],
    creator,
  });
  state.detailed_state = (old.detailed_state as DetailedState | undefined) ?? state.detailed_state;
  state.message = old.message ?? state.message;
  state.unity_catalog_provisioning_state =
    legacy.unity_catalog_provisioning_state === "ACTIVE" ? "ACTIVE" : state.unity_catalog_provisioning_state;
  if (old.last_sync?.sync_start_timestamp && old.last_sync.sync_end_timestamp) {
    // The old pipelines only ever loaded the source's version 0.
    state.last_processed_commit_version = 0;
    state.last_processed_time = old.last_sync.sync_end_timestamp;
    state.last_sync = {
      start: old.last_sync.sync_start_timestamp,
      end: old.last_sync.sync_end_timestamp,
      commit_version: 0,
      commit_time: old.last_sync.sync_start_timestamp,
    };
  }
  delete legacy.unity_catalog_provisioning_state;
  delete legacy.data_synchronization_status;
  return state;
}
