import { randomUUID } from "node:crypto";
import { alreadyExists as instanceAlreadyExists, notFound as instanceNotFound } from "../../api-error.ts";
import { PG_DATABASE_NAME, UC_NAME } from "../../database-api/names.ts";
import type { CatalogRecord } from "../../state/records.ts";
import type { PostgresDeps } from "../deps.ts";
import { alreadyExists, badRequest, invalid, notFound, requiredId } from "../errors.ts";
import { projectOf } from "../names.ts";
import type { OperationJson } from "../operations.ts";
import type { Databases } from "../resources/databases.ts";
import { catalogBodySchema } from "../schemas.ts";
import { ownerRoleOf } from "./owner-role.ts";

/**
 * Unity Catalog catalogs registered on a branch's database (`POST /postgres/catalogs?catalog_id=`), in
 * the same name space as the `database` API's catalogs: a project's catalogs are also that API's catalogs
 * of the instance named after the project. Deleting a catalog keeps the database and its data.
 */
export class BranchCatalogs {
  readonly #deps: PostgresDeps;
  readonly #databases: Databases;

  constructor(deps: PostgresDeps, databases: Databases) {
    this.#deps = deps;
    this.#databases = databases;
  }

  create(identity: string, catalogId: string | undefined, body: unknown): OperationJson {
    if (!catalogId) throw requiredId("catalog_id");
    const { spec } = catalogBodySchema.parse(body ?? {});
    if (!UC_NAME.test(catalogId)) throw invalid(`Invalid catalog name '${catalogId}'.`);
    if (this.#deps.ctx.state.catalogs[catalogId]) throw alreadyExists("catalog with such id already exists");
    const work = this.#register(identity, catalogId, spec.branch, spec.postgres_database, {
      createDatabase: spec.create_database_if_missing ?? false,
      missing: () => notFound("database"),
      duplicate: () => alreadyExists("catalog with such id already exists"),
    });
    return this.#deps.operations.start(`catalogs/${catalogId}`, "Catalog", async () => this.json(await work));
  }

  /** The `database` API's create on a project (named as an instance): the catalog goes on its default branch. */
  async createOnProject(
    identity: string,
    input: { name: string; project: string; database_name: string; create_database_if_not_exists?: boolean },
  ): Promise<CatalogRecord> {
    if (!UC_NAME.test(input.name)) throw invalid(`Invalid catalog name '${input.name}'.`);
    if (!PG_DATABASE_NAME.test(input.database_name))
      throw invalid(`Invalid database name '${input.database_name}'.`);
    if (this.#deps.ctx.state.catalogs[input.name])
      throw instanceAlreadyExists(`Catalog '${input.name}' already exists.`);
    const project = this.#deps.access.project(input.project);
    return this.#register(identity, input.name, project.status.default_branch, input.database_name, {
      createDatabase: input.create_database_if_not_exists ?? false,
      missing: () =>
        instanceNotFound(
          `Database '${input.database_name}' does not exist in instance '${project.project_id}'; set create_database_if_not_exists to create it.`,
        ),
      duplicate: () => instanceAlreadyExists(`Catalog '${input.name}' already exists.`),
    });
  }

  get(name: string) {
    return this.json(this.#record(name));
  }

  delete(identity: string, name: string): OperationJson {
    const record = this.#record(name);
    this.#mayDelete(identity, record);
    return this.#deps.operations.start(`catalogs/${record.name}`, "Catalog", () => this.#unregister(record));
  }

  /** The `database` API's delete of a project's catalog (no operation). */
  async deleteNow(identity: string, name: string): Promise<void> {
    const record = this.#record(name);
    this.#mayDelete(identity, record);
    await this.#unregister(record);
  }

  #mayDelete(identity: string, record: CatalogRecord): void {
    if (record.branch && this.#deps.ctx.postgres.branches[record.branch]) {
      this.#deps.access.require(identity, record.branch, "CAN_MANAGE");
    }
  }

  async #unregister(record: CatalogRecord): Promise<undefined> {
    // Unregistered only: the Postgres database and its data stay, as on the service.
    delete this.#deps.ctx.state.catalogs[record.name];
    await this.#deps.ctx.save();
    return undefined;
  }

  json(record: CatalogRecord) {
    const time = record.create_time ?? new Date(0).toISOString();
    return {
      name: `catalogs/${record.name}`,
      catalog_id: record.name,
      uid: record.uid,
      create_time: time,
      update_time: time,
      status: {
        branch: record.branch,
        postgres_database: record.database_name,
        project: record.branch ? projectOf(record.branch) : undefined,
      },
    };
  }

  async #register(
    identity: string,
    name: string,
    branchName: string,
    database: string,
    options: {
      createDatabase: boolean;
      missing: () => Error;
      duplicate: () => Error;
    },
  ): Promise<CatalogRecord> {
    const { ctx, access } = this.#deps;
    const branch = access.branch(branchName);
    const project = access.require(identity, branch.name, "CAN_MANAGE");
    if (branch.status.current_state !== "READY") throw badRequest(`Branch '${branch.name}' is not READY.`);
    const exists = Object.values(ctx.postgres.databases).some(
      (d) => d.parent === branch.name && d.status.postgres_database === database,
    );
    if (!exists) {
      if (!options.createDatabase) throw options.missing();
      await this.#databases.ensure(branch.name, database, ownerRoleOf(ctx.postgres, branch.name, project));
    }
    // Checked again: another create of the same name may have finished while the database was made.
    if (ctx.state.catalogs[name]) throw options.duplicate();
    const record: CatalogRecord = {
      name,
      uid: randomUUID(),
      database_instance_name: project.project_id,
      database_name: database,
      create_database_if_not_exists: options.createDatabase,
      branch: branch.name,
      create_time: new Date().toISOString(),
    };
    ctx.state.catalogs[name] = record;
    await ctx.save();
    return record;
  }

  #record(name: string): CatalogRecord {
    const id = name.startsWith("catalogs/") ? name.slice("catalogs/".length) : name;
    const record = this.#deps.ctx.state.catalogs[id];
    if (!record?.branch) throw notFound("catalog");
    return record;
  }
}
