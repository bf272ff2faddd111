import { randomUUID } from "node:crypto";
import {
  alreadyExists as instanceAlreadyExists,
  invalidParameter as instanceInvalid,
  notFound as instanceNotFound,
  LakebaseApiError,
} from "../../api-error.ts";
import { UC_NAME } from "../../database-api/names.ts";
import type { SyncedTableInput } from "../../database-api/schemas.ts";
import type { BranchSyncedTableRecord } from "../../state/postgres-records.ts";
import type { Pipelines } from "../../sync/pipelines.ts";
import { checkSyncSpec, type SpecProblem } from "../../sync/spec.ts";
import { databaseSyncStatus, postgresSyncStatus } from "../../sync/sync-state.ts";
import type { SyncTarget } from "../../sync/target.ts";
import type { PostgresDeps } from "../deps.ts";
import { alreadyExists, badRequest, invalid, notFound, requiredId } from "../errors.ts";
import { projectOf } from "../names.ts";
import type { OperationJson } from "../operations.ts";
import type { Databases } from "../resources/databases.ts";
import { type SyncedTableBody, syncedTableBodySchema } from "../schemas.ts";
import { ownerRoleOf } from "./owner-role.ts";

type Spec = BranchSyncedTableRecord["spec"];
type Api = "postgres" | "database";

/**
 * Synced tables on a branch's database, created through the `postgres` API or through the `database` API
 * on a project named as an instance. Their pipelines are the sync module's (src/sync), as on instances:
 * the initial snapshot, SNAPSHOT/TRIGGERED updates through the Pipelines API, CONTINUOUS ones on their own,
 * production's ownership (`databricks_writer_<oid>`, the creator as manager). This class hands the
 * pipelines the branch's SyncTarget and keeps the SyncState in the record. A soft-deleted branch's
 * pipelines stop (and resume on undelete); a purged branch's go with it.
 */
export class BranchSyncedTables {
  readonly #deps: PostgresDeps;
  readonly #databases: Databases;
  readonly #pipelines: Pipelines;

  constructor(deps: PostgresDeps, databases: Databases, pipelines: Pipelines) {
    this.#deps = deps;
    this.#databases = databases;
    this.#pipelines = pipelines;
  }

  has(name: string): boolean {
    return this.#deps.ctx.postgres.syncedTables[name] !== undefined;
  }

  create(identity: string, syncedTableId: string | undefined, body: unknown): OperationJson {
    if (!syncedTableId) throw requiredId("synced_table_id");
    const { spec } = syncedTableBodySchema.parse(body ?? {});
    const name = syncedTableId;
    const work = this.#create(identity, name, spec, spec.branch, spec.postgres_database, "postgres");
    return this.#deps.operations.start(`synced_tables/${name}`, "SyncedTable", async () =>
      this.json(await work),
    );
  }

  /** The `database` API's create, for a synced table whose catalog is on a project's branch. */
  async createFromDatabaseApi(identity: string, input: SyncedTableInput) {
    const record = await this.#create(
      identity,
      input.name,
      input.spec,
      undefined,
      input.logical_database_name,
      "database",
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
      data_synchronization_status: databaseSyncStatus(sync),
    };
  }

  databaseApiGet(name: string) {
    const record = this.#deps.ctx.postgres.syncedTables[name];
    if (!record) throw instanceNotFound(`Synced table '${name}' does not exist.`);
    return this.databaseApiJson(record);
  }

  json(record: BranchSyncedTableRecord) {
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
      status: { ...postgresSyncStatus(record.sync), project: projectOf(record.branch) },
    };
  }

  delete(identity: string, name: string, purgeData: boolean, kind: Api = "postgres") {
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
      const branch = this.#deps.ctx.postgres.branches[record.branch];
      const purge = purgeData && branch !== undefined && branch.status.current_state !== "DELETED";
      await this.#pipelines.delete(id, purge ? { target: this.syncTarget(record) } : undefined);
      delete this.#deps.ctx.postgres.syncedTables[id];
      await this.#deps.ctx.save();
      this.#deps.ctx.log({ event: "synced_table_deleted", name: id, purgeData });
      return undefined;
    };
    if (kind === "database") return work().then(() => ({}));
    return this.#deps.operations.start(`synced_tables/${id}`, "SyncedTable", work);
  }

  /** Resolves when the work asked of the table's pipeline so far is done (at once when none is). */
  wait(name: string): Promise<void> {
    return this.#pipelines.wait(name);
  }

  /** After a restart: the pipelines of live branches' tables resume (an interrupted snapshot starts over). */
  restore(): void {
    for (const record of Object.values(this.#deps.ctx.postgres.syncedTables)) {
      if (this.#live(record.branch))
        this.#pipelines.attach(record.name, record.sync, this.syncTarget(record));
    }
  }

  /** A soft-deleted branch: its tables' pipeline work stops (their state is kept for an undelete). */
  async pause(branch: string): Promise<void> {
    for (const record of this.#on(branch)) await this.#pipelines.cancel(record.name);
  }

  /** An undeleted branch: its tables' pipelines go on where they were. */
  resume(branch: string): void {
    for (const record of this.#on(branch)) {
      this.#pipelines.attach(record.name, record.sync, this.syncTarget(record));
    }
  }

  /** A purged branch: its tables' pipelines stop and the tables are forgotten (their data goes with it). */
  async forget(branch: string): Promise<void> {
    for (const record of this.#on(branch)) {
      await this.#pipelines.cancel(record.name);
      delete this.#deps.ctx.postgres.syncedTables[record.name];
    }
  }

  /**
   * Where the table lives, for the pipelines: the branch's cluster (woken if it scaled to zero; the
   * pipeline's sessions then count as activity, see EndpointComputes), the manager's role on it, who may
   * start and stop its updates (CAN_MANAGE on the project), and a stored backup after a whole-table load.
   */
  syncTarget(record: Pick<BranchSyncedTableRecord, "branch" | "postgres_database">): SyncTarget {
    const { clusters, access, ctx } = this.#deps;
    const { branch, postgres_database: database } = record;
    return {
      // Held while the URL is handed out: the idle loop counts from now, so the session opened next is
      // not cut before its first statement.
      connectionString: () => clusters.of(branch).hold(async ({ pg }) => pg.url(database)),
      ensureRole: (identity) =>
        clusters.of(branch).hold(async ({ admin }) => {
          // The identity's role on the branch (the roles API's, or the owner's), else a LOGIN role named
          // after it as an admin's first login would make.
          const role = Object.values(ctx.postgres.roles).find(
            (r) => r.parent === branch && r.status.postgres_role === identity,
          );
          if (role) return role.status.postgres_role;
          await admin.ensureLoginRole(identity);
          return identity;
        }),
      canManage: (identity) => {
        const project = ctx.postgres.projects[projectOf(branch)];
        return project !== undefined && access.holds(identity, project, "CAN_MANAGE");
      },
      // A whole-table load is much WAL: a stored backup now keeps a later branch in the past short.
      afterLoad: () => clusters.backupIfDue(branch),
    };
  }

  #on(branch: string): BranchSyncedTableRecord[] {
    return Object.values(this.#deps.ctx.postgres.syncedTables).filter((t) => t.branch === branch);
  }

  #live(branch: string): boolean {
    const record = this.#deps.ctx.postgres.branches[branch];
    return record !== undefined && record.status.current_state !== "DELETED";
  }

  async #create(
    identity: string,
    name: string,
    spec: SyncedTableBody["spec"],
    branchName: string | undefined,
    database: string | undefined,
    api: Api,
  ): Promise<BranchSyncedTableRecord> {
    const { ctx, access } = this.#deps;
    const errors = {
      missing: (what: "catalog" | "database") =>
        api === "postgres" ? notFound(what) : instanceNotFound(`The ${what} of '${name}' does not exist.`),
      duplicate: () =>
        api === "postgres"
          ? alreadyExists("synced table with such id already exists")
          : instanceAlreadyExists(`Synced table '${name}' already exists.`),
    };
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
    this.#validate(spec, api);
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
    // Checked again: another create of the same name may have finished while the database was made.
    if (ctx.postgres.syncedTables[name] || ctx.state.syncedTables[name]) throw errors.duplicate();
    const record: BranchSyncedTableRecord = {
      name,
      uid: randomUUID(),
      create_time: new Date().toISOString(),
      branch,
      postgres_database: target,
      spec: specOf(spec),
      sync: this.#pipelines.create({
        name,
        target: this.syncTarget({ branch, postgres_database: target }),
        spec,
        creator: identity,
        existingPipelineId: spec.existing_pipeline_id,
      }),
    };
    ctx.postgres.syncedTables[name] = record;
    await ctx.save();
    return record;
  }

  #validate(spec: SyncedTableBody["spec"], api: Api): void {
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
    if (problem) throw specError(problem, api);
  }

  #record(name: string): BranchSyncedTableRecord {
    const id = name.startsWith("synced_tables/") ? name.slice("synced_tables/".length) : name;
    const record = this.#deps.ctx.postgres.syncedTables[id];
    if (!record) throw notFound("synced table");
    return record;
  }
}

/** A spec problem in each API's codes (the `postgres` API's NOT_FOUND, the `database` API's RESOURCE_*). */
function specError(problem: SpecProblem, api: Api): LakebaseApiError {
  if (api === "database") {
    return problem.kind === "not_found"
      ? instanceNotFound(problem.message)
      : instanceInvalid(problem.message);
  }
  return problem.kind === "not_found"
    ? new LakebaseApiError(404, "NOT_FOUND", problem.message)
    : invalid(problem.message);
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
    ...(spec.extra_index_definitions ? { extra_index_definitions: spec.extra_index_definitions } : {}),
  };
}
