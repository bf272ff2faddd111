import { randomUUID } from "node:crypto";
import pg from "pg";
import { alreadyExists, invalidParameter, invalidState, notFound } from "../api-error.ts";
import type { Permissions } from "../identity/permissions.ts";
import type { ServiceContext } from "../state/context.ts";
import type { InstanceRecord, SyncedTableRecord } from "../state/records.ts";
import type { Pipelines } from "../sync/pipelines.ts";
import { isSourceColumn, SOURCE_TABLE } from "../sync/source.ts";
import { UC_NAME } from "./names.ts";
import type { SyncedTableInput } from "./schemas.ts";

type Spec = SyncedTableInput["spec"];

/**
 * Synced database tables: a Postgres copy of a Unity Catalog table, kept by a sync pipeline. Creating and
 * deleting one needs CAN_MANAGE on its instance (Unity Catalog privileges are not emulated).
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

  async create(identity: string, input: SyncedTableInput, rows = this.#ctx.deps.sourceRows) {
    const { state, cluster } = this.#ctx;
    const parts = input.name.split(".");
    if (parts.length !== 3 || !parts.every((p) => UC_NAME.test(p))) {
      throw invalidParameter(`Invalid synced table name '${input.name}': expected catalog.schema.table.`);
    }
    const [catalogName, schema, table] = parts as [string, string, string];
    if (state.syncedTables[input.name]) throw alreadyExists(`Synced table '${input.name}' already exists.`);
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
    if (state.syncedTables[input.name]) throw alreadyExists(`Synced table '${input.name}' already exists.`);

    const record = newRecord(input, instance.name, target.database);
    state.syncedTables[record.name] = record;
    await this.#ctx.save();
    this.#pipelines.start(record, rows);
    return this.json(record);
  }

  get(name: string) {
    return this.json(this.#record(name));
  }

  async delete(identity: string, name: string, purgeData: boolean) {
    const record = this.#record(name);
    if (this.#ctx.state.instances[record.database_instance_name]) {
      this.#permissions.require(identity, record.database_instance_name, "CAN_MANAGE");
    }
    await this.#pipelines.cancel(name);
    delete this.#ctx.state.syncedTables[name];
    if (purgeData) {
      const instance = this.#ctx.state.instances[record.database_instance_name];
      const [, schema, table] = name.split(".") as [string, string, string];
      if (instance && instance.state !== "DELETING") {
        await this.#ctx.cluster.withClient(
          this.#ctx.physical(instance.name, record.logical_database_name),
          (c) => c.query(`DROP TABLE IF EXISTS ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`),
        );
      }
    }
    await this.#ctx.save();
    this.#ctx.log({ event: "synced_table_deleted", name, purgeData });
    return {};
  }

  json(record: SyncedTableRecord) {
    return {
      ...structuredClone(record),
      effective_database_instance_name: record.database_instance_name,
      effective_logical_database_name: record.logical_database_name,
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
    if (spec.source_table_full_name.toLowerCase() !== SOURCE_TABLE) {
      throw notFound(
        `Table '${spec.source_table_full_name}' does not exist (the one known source is ${SOURCE_TABLE}).`,
      );
    }
    for (const column of spec.primary_key_columns) {
      if (!isSourceColumn(column)) {
        throw invalidParameter(`Primary key column '${column}' does not exist in ${SOURCE_TABLE}.`);
      }
    }
    if (spec.timeseries_key !== undefined && !isSourceColumn(spec.timeseries_key)) {
      throw invalidParameter(`Timeseries key '${spec.timeseries_key}' does not exist in ${SOURCE_TABLE}.`);
    }
    if (spec.existing_pipeline_id) {
      const known = Object.values(this.#ctx.state.syncedTables).some(
        (t) => t.data_synchronization_status.pipeline_id === spec.existing_pipeline_id,
      );
      if (!known) throw invalidParameter(`Pipeline '${spec.existing_pipeline_id}' does not exist.`);
    } else if (!spec.new_pipeline_spec?.storage_catalog || !spec.new_pipeline_spec.storage_schema) {
      throw invalidParameter(
        "spec.new_pipeline_spec.storage_catalog and storage_schema are required when no existing_pipeline_id is given.",
      );
    }
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

function newRecord(input: SyncedTableInput, instance: string, database: string): SyncedTableRecord {
  const spec = input.spec;
  return {
    name: input.name,
    database_instance_name: instance,
    logical_database_name: database,
    spec: {
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
    },
    unity_catalog_provisioning_state: "PROVISIONING",
    data_synchronization_status: {
      detailed_state: "SYNCED_TABLE_PROVISIONING",
      message: "Synced table is being provisioned.",
      pipeline_id: spec.existing_pipeline_id ?? randomUUID(),
    },
  };
}
