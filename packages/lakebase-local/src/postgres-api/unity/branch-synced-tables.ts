import { randomUUID } from "node:crypto";
import pg from "pg";
import { alreadyExists as instanceAlreadyExists, notFound as instanceNotFound } from "../../api-error.ts";
import { UC_NAME } from "../../database-api/names.ts";
import type { SyncedTableInput } from "../../database-api/schemas.ts";
import type { BranchSyncedTableRecord } from "../../state/postgres-records.ts";
import { runSnapshotPipeline } from "../../sync/snapshot.ts";
import { isSourceColumn, SOURCE_TABLE } from "../../sync/source.ts";
import type { PostgresDeps } from "../deps.ts";
import { alreadyExists, badRequest, invalid, notFound, requiredId } from "../errors.ts";
import { projectOf } from "../names.ts";
import type { OperationJson } from "../operations.ts";
import type { Databases } from "../resources/databases.ts";
import { type SyncedTableBody, syncedTableBodySchema } from "../schemas.ts";
import { ownerRoleOf } from "./owner-role.ts";

type Spec = BranchSyncedTableRecord["spec"];

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Synced tables on a branch's database, created through the `postgres` API or through the `database` API
 * on a project named as an instance. The table is loaded by the sync module's snapshot pipeline on the
 * branch's cluster (held awake meanwhile), shaped and owned as the `database` API's synced tables are.
 * Only the initial snapshot runs here: changes applied afterwards are the sync module's (see README).
 */
export class BranchSyncedTables {
  readonly #deps: PostgresDeps;
  readonly #databases: Databases;
  readonly #running = new Map<string, Running>();

  constructor(deps: PostgresDeps, databases: Databases) {
    this.#deps = deps;
    this.#databases = databases;
  }

  has(name: string): boolean {
    return this.#deps.ctx.postgres.syncedTables[name] !== undefined;
  }

  create(identity: string, syncedTableId: string | undefined, body: unknown): OperationJson {
    if (!syncedTableId) throw requiredId("synced_table_id");
    const { spec } = syncedTableBodySchema.parse(body ?? {});
    const name = syncedTableId;
    const work = this.#create(identity, name, spec, spec.branch, spec.postgres_database, undefined, {
      missing: (what) => (what === "catalog" ? notFound("catalog") : notFound("database")),
      duplicate: () => alreadyExists("synced table with such id already exists"),
    });
    return this.#deps.operations.start(`synced_tables/${name}`, "SyncedTable", async () =>
      this.json(await work),
    );
  }

  /** The `database` API's create, for a synced table whose catalog is on a project's branch. */
  async createFromDatabaseApi(identity: string, input: SyncedTableInput, rows?: number) {
    const record = await this.#create(
      identity,
      input.name,
      input.spec,
      undefined,
      input.logical_database_name,
      rows,
      {
        missing: (what) => instanceNotFound(`The ${what} of '${input.name}' does not exist.`),
        duplicate: () => instanceAlreadyExists(`Synced table '${input.name}' already exists.`),
      },
    );
    return this.databaseApiJson(record);
  }

  get(name: string) {
    return this.json(this.#record(name));
  }

  /** The `database` API's view of a synced table on a branch (`data_synchronization_status`). */
  databaseApiJson(record: BranchSyncedTableRecord) {
    const { sync } = record;
    const project = this.#deps.ctx.postgres.projects[projectOf(record.branch)];
    return {
      name: record.name,
      database_instance_name: project?.project_id,
      logical_database_name: record.postgres_database,
      effective_database_instance_name: project?.project_id,
      effective_logical_database_name: record.postgres_database,
      spec: structuredClone(record.spec),
      unity_catalog_provisioning_state: sync.unity_catalog_provisioning_state,
      data_synchronization_status: {
        detailed_state: sync.detailed_state,
        message: sync.message,
        pipeline_id: sync.pipeline_id,
        ...(sync.progress ? { provisioning_status: { initial_pipeline_sync_progress: sync.progress } } : {}),
        ...(sync.last_sync
          ? {
              last_sync: {
                sync_start_timestamp: sync.last_sync.start,
                ...(sync.last_sync.end ? { sync_end_timestamp: sync.last_sync.end } : {}),
              },
            }
          : {}),
        ...(sync.failed_at ? { failed_status: { timestamp: sync.failed_at } } : {}),
      },
    };
  }

  databaseApiGet(name: string) {
    const record = this.#deps.ctx.postgres.syncedTables[name];
    if (!record) throw instanceNotFound(`Synced table '${name}' does not exist.`);
    return this.databaseApiJson(record);
  }

  json(record: BranchSyncedTableRecord) {
    const { sync } = record;
    return {
      name: `synced_tables/${record.name}`,
      synced_table_id: record.name,
      uid: record.uid,
      create_time: record.create_time,
      spec: {
        ...structuredClone(record.spec),
        branch: record.branch,
        postgres_database: record.postgres_database,
      },
      status: {
        detailed_state: sync.detailed_state,
        message: sync.message,
        pipeline_id: sync.pipeline_id,
        project: projectOf(record.branch),
        unity_catalog_provisioning_state: sync.unity_catalog_provisioning_state,
        ...(sync.progress && !sync.last_sync?.end ? { ongoing_sync_progress: sync.progress } : {}),
        ...(sync.last_sync
          ? {
              last_sync: {
                sync_start_time: sync.last_sync.start,
                ...(sync.last_sync.end ? { sync_end_time: sync.last_sync.end } : {}),
              },
              ...(sync.last_sync.end ? { last_sync_time: sync.last_sync.end } : {}),
            }
          : {}),
      },
    };
  }

  delete(identity: string, name: string, purgeData: boolean, kind: "postgres" | "database" = "postgres") {
    const id = name.startsWith("synced_tables/") ? name.slice("synced_tables/".length) : name;
    const record = this.#deps.ctx.postgres.syncedTables[id];
    if (!record)
      throw kind === "postgres"
        ? notFound("synced table")
        : instanceNotFound(`Synced table '${id}' does not exist.`);
    if (this.#deps.ctx.postgres.branches[record.branch]) {
      this.#deps.access.require(identity, record.branch, "CAN_MANAGE");
    }
    const work = async () => {
      await this.cancel(id);
      delete this.#deps.ctx.postgres.syncedTables[id];
      const branch = this.#deps.ctx.postgres.branches[record.branch];
      if (purgeData && branch && branch.status.current_state !== "DELETED") {
        const [, schema, table] = id.split(".") as [string, string, string];
        await this.#deps.clusters
          .of(record.branch)
          .hold(({ admin }) =>
            admin.withClient(record.postgres_database, (c) =>
              c.query(`DROP TABLE IF EXISTS ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`),
            ),
          );
      }
      await this.#deps.ctx.save();
      this.#deps.ctx.log({ event: "synced_table_deleted", name: id, purgeData });
      return undefined;
    };
    if (kind === "database") return work().then(() => ({}));
    return this.#deps.operations.start(`synced_tables/${id}`, "SyncedTable", work);
  }

  /** Resolves when the table's pipeline has finished (at once when none runs). */
  async wait(name: string): Promise<void> {
    await this.#running.get(name)?.done;
  }

  async cancel(name: string): Promise<void> {
    const running = this.#running.get(name);
    if (!running) return;
    running.controller.abort(new Error("synced table deleted"));
    await running.done;
  }

  async cancelAll(): Promise<void> {
    for (const name of [...this.#running.keys()]) await this.cancel(name);
  }

  /** After a restart: an interrupted initial snapshot starts over. */
  restore(): void {
    for (const record of Object.values(this.#deps.ctx.postgres.syncedTables)) {
      if (record.sync.detailed_state.startsWith("SYNCED_TABLE_PROVISIONING")) this.#start(record);
    }
  }

  async #create(
    identity: string,
    name: string,
    spec: SyncedTableBody["spec"],
    branchName: string | undefined,
    database: string | undefined,
    rows: number | undefined,
    errors: { missing: (what: "catalog" | "database") => Error; duplicate: () => Error },
  ): Promise<BranchSyncedTableRecord> {
    const { ctx, access } = this.#deps;
    const parts = name.split(".");
    if (parts.length !== 3 || !parts.every((p) => UC_NAME.test(p))) {
      throw invalid(`Invalid synced table name '${name}': expected catalog.schema.table.`);
    }
    if (ctx.postgres.syncedTables[name] || ctx.state.syncedTables[name]) throw errors.duplicate();
    const catalog = ctx.state.catalogs[parts[0] ?? ""];
    let branch = branchName;
    let target = database;
    if (catalog?.branch) {
      if (branch && branch !== catalog.branch)
        throw invalid(`spec.branch does not match catalog '${catalog.name}'.`);
      if (target && target !== catalog.database_name) {
        throw invalid(`The database does not match catalog '${catalog.name}' (${catalog.database_name}).`);
      }
      branch = catalog.branch;
      target = catalog.database_name;
    }
    if (!branch || !target) throw errors.missing("catalog");
    const branchRecord = access.branch(branch);
    const project = access.require(identity, branch, "CAN_MANAGE");
    if (branchRecord.status.current_state !== "READY") throw badRequest(`Branch '${branch}' is not READY.`);
    this.#validate(spec);
    const schemaTable = parts.slice(1).join(".");
    for (const other of Object.values(ctx.postgres.syncedTables)) {
      if (
        other.branch === branch &&
        other.postgres_database === target &&
        other.name.split(".").slice(1).join(".") === schemaTable
      ) {
        throw errors.duplicate();
      }
    }
    const known = Object.values(ctx.postgres.databases).some(
      (d) => d.parent === branch && d.status.postgres_database === target,
    );
    if (!known) {
      if (spec.create_database_objects_if_missing === false) throw errors.missing("database");
      await this.#databases.ensure(branch, target, ownerRoleOf(ctx.postgres, branch, project));
    }
    if (ctx.postgres.syncedTables[name]) throw errors.duplicate();
    const record: BranchSyncedTableRecord = {
      name,
      uid: randomUUID(),
      create_time: new Date().toISOString(),
      branch,
      postgres_database: target,
      spec: specOf(spec),
      sync: {
        detailed_state: "SYNCED_TABLE_PROVISIONING",
        message: "Synced table is being provisioned.",
        pipeline_id: spec.existing_pipeline_id ?? randomUUID(),
        unity_catalog_provisioning_state: "PROVISIONING",
      },
    };
    ctx.postgres.syncedTables[name] = record;
    await ctx.save();
    this.#start(record, rows);
    return record;
  }

  #validate(spec: SyncedTableBody["spec"]): void {
    if (spec.source_table_full_name.toLowerCase() !== SOURCE_TABLE) {
      throw instanceNotFound(
        `Table '${spec.source_table_full_name}' does not exist (the one known source is ${SOURCE_TABLE}).`,
      );
    }
    for (const column of [
      ...spec.primary_key_columns,
      ...(spec.timeseries_key ? [spec.timeseries_key] : []),
    ]) {
      if (!isSourceColumn(column)) throw invalid(`Column '${column}' does not exist in ${SOURCE_TABLE}.`);
    }
    if (spec.existing_pipeline_id) {
      const { ctx } = this.#deps;
      const known =
        Object.values(ctx.postgres.syncedTables).some(
          (t) => t.sync.pipeline_id === spec.existing_pipeline_id,
        ) ||
        Object.values(ctx.state.syncedTables).some(
          (t) => t.data_synchronization_status.pipeline_id === spec.existing_pipeline_id,
        );
      if (!known) throw invalid(`Pipeline '${spec.existing_pipeline_id}' does not exist.`);
    } else if (!spec.new_pipeline_spec?.storage_catalog || !spec.new_pipeline_spec.storage_schema) {
      throw invalid(
        "spec.new_pipeline_spec.storage_catalog and storage_schema are required when no existing_pipeline_id is given.",
      );
    }
  }

  #start(record: BranchSyncedTableRecord, rows = this.#deps.ctx.deps.sourceRows): void {
    const { ctx } = this.#deps;
    const controller = new AbortController();
    const { sync } = record;
    const [, schema, table] = record.name.split(".") as [string, string, string];
    const startedAt = new Date().toISOString();
    const injectedFailure = ctx.deps.faults.takePipelineFailure();
    const done = this.#deps.clusters
      .of(record.branch)
      .hold(({ admin }) =>
        runSnapshotPipeline({
          cluster: admin,
          database: record.postgres_database,
          schema,
          table,
          primaryKey: record.spec.primary_key_columns.filter(isSourceColumn),
          rows,
          timings: { stepMs: ctx.deps.timings.pipelineStepMs },
          ...(injectedFailure !== undefined ? { injectedFailure } : {}),
          signal: controller.signal,
          onPhase: (phase) => {
            sync.detailed_state = `SYNCED_TABLE_${phase}`;
            sync.message =
              phase === "PROVISIONING_INITIAL_SNAPSHOT"
                ? "Synced table is loading its initial snapshot."
                : "Pipeline resources are being provisioned.";
          },
          onProgress: (progress) => {
            sync.progress = progress;
          },
        }),
      )
      .then(
        async () => {
          sync.detailed_state = "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE";
          sync.message = "Synced table is online; no pending updates.";
          sync.last_sync = { start: startedAt, end: new Date().toISOString() };
          sync.unity_catalog_provisioning_state = "ACTIVE";
          ctx.log({ event: "synced_table_online", name: record.name, rows });
          await ctx.save();
          // A large load is much WAL: a stored backup now keeps a later branch in the past short.
          await this.#deps.clusters
            .backupIfDue(record.branch)
            .catch((error: unknown) =>
              ctx.log({ event: "history_error", branch: record.branch, error: (error as Error).message }),
            );
        },
        async (error: unknown) => {
          if (controller.signal.aborted) return;
          const message = error instanceof Error ? error.message : String(error);
          sync.detailed_state = "SYNCED_TABLE_OFFLINE_FAILED";
          sync.message = `Pipeline ${sync.pipeline_id} failed: ${message}`;
          sync.failed_at = new Date().toISOString();
          sync.unity_catalog_provisioning_state = "FAILED";
          ctx.log({ event: "synced_table_failed", name: record.name, error: message });
          await ctx.save();
        },
      );
    // Never rejects: a failure is in the table's status (and a late save error in the log).
    const settled = done.catch((error: unknown) =>
      ctx.log({ event: "synced_table_error", name: record.name, error: (error as Error).message }),
    );
    const entry = { controller, done: settled };
    this.#running.set(record.name, entry);
    void settled.finally(() => {
      if (this.#running.get(record.name) === entry) this.#running.delete(record.name);
    });
  }

  #record(name: string): BranchSyncedTableRecord {
    const id = name.startsWith("synced_tables/") ? name.slice("synced_tables/".length) : name;
    const record = this.#deps.ctx.postgres.syncedTables[id];
    if (!record) throw notFound("synced table");
    return record;
  }
}

function specOf(spec: SyncedTableBody["spec"]): Spec {
  return {
    source_table_full_name: spec.source_table_full_name,
    primary_key_columns: [...spec.primary_key_columns],
    scheduling_policy: spec.scheduling_policy,
    ...(spec.timeseries_key !== undefined ? { timeseries_key: spec.timeseries_key } : {}),
    ...(spec.create_database_objects_if_missing !== undefined
      ? { create_database_objects_if_missing: spec.create_database_objects_if_missing }
      : {}),
    ...(spec.existing_pipeline_id ? { existing_pipeline_id: spec.existing_pipeline_id } : {}),
    ...(spec.new_pipeline_spec
      ? {
          new_pipeline_spec: {
            ...(spec.new_pipeline_spec.storage_catalog
              ? { storage_catalog: spec.new_pipeline_spec.storage_catalog }
              : {}),
            ...(spec.new_pipeline_spec.storage_schema
              ? { storage_schema: spec.new_pipeline_spec.storage_schema }
              : {}),
          },
        }
      : {}),
  };
}
