import { dropDatabase, ensureDatabase } from "../../compute/branch-objects.ts";
import { page } from "../../database-api/paging.ts";
import type { DatabaseRecord } from "../../state/postgres-records.ts";
import type { PostgresDeps } from "../deps.ts";
import { badRequest, invalid, notFound, requiredId } from "../errors.ts";
import { databaseJson } from "../json.ts";
import { checkId, RESERVED_DATABASES, SHORT_ID } from "../names.ts";
import { newDatabase, stamp } from "../new-records.ts";
import type { OperationJson } from "../operations.ts";
import { databaseBodySchema } from "../schemas.ts";

/** A Postgres database name as Lakebase takes it: a plain identifier of at most 63 bytes. */
const PG_NAME = /^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/;

/**
 * Databases of a branch: each a real database of the branch's cluster, owned by one of its roles
 * (`spec.role`, required as on the service). A duplicate is 400 BAD_REQUEST, as the service answers.
 */
export class Databases {
  readonly #deps: PostgresDeps;

  constructor(deps: PostgresDeps) {
    this.#deps = deps;
  }

  create(
    identity: string,
    parent: string,
    databaseId: string | undefined,
    body: unknown,
    replaceExisting: boolean,
  ): OperationJson {
    const { ctx, access } = this.#deps;
    if (!databaseId) throw requiredId("database_id");
    const branch = access.branch(parent);
    checkId(databaseId, "database_id", SHORT_ID);
    access.require(identity, parent, "CAN_MANAGE");
    if (branch.status.current_state !== "READY") throw badRequest(`Branch '${parent}' is not READY.`);
    const spec = databaseBodySchema.parse(body ?? {}).spec;
    if (!spec?.role)
      throw invalid(`Field 'database.spec.role' is required, expected non-default value (not "")!`);
    const postgresDatabase = spec.postgres_database ?? databaseId;
    checkPgName(postgresDatabase);
    const owner = this.#role(parent, spec.role);
    const name = `${parent}/databases/${databaseId}`;
    const existing = ctx.postgres.databases[name];
    const clash = Object.values(ctx.postgres.databases).find(
      (d) => d.parent === parent && d.status.postgres_database === postgresDatabase && d.name !== name,
    );
    if ((existing && !replaceExisting) || clash) throw badRequest("database with that name already exists");
    const record = existing ?? newDatabase(parent, databaseId, postgresDatabase, spec.role);
    if (existing) {
      if (existing.status.postgres_database !== postgresDatabase) {
        throw invalid("Field 'spec.postgres_database' cannot be changed by replace_existing.");
      }
      existing.status.role = spec.role;
      stamp(existing);
    }
    ctx.postgres.databases[name] = record;
    return this.#deps.operations.start(name, "Database", async () => {
      try {
        await this.#deps.clusters
          .of(parent)
          .hold(({ admin }) => ensureDatabase(admin, postgresDatabase, owner));
      } catch (error) {
        if (!existing) delete ctx.postgres.databases[name];
        throw error;
      }
      await ctx.save();
      return databaseJson(record);
    });
  }

  get(name: string): ReturnType<typeof databaseJson> {
    return databaseJson(this.#record(name));
  }

  list(parent: string, query: { page_size?: string; page_token?: string }) {
    this.#deps.access.branch(parent);
    const names = Object.values(this.#deps.ctx.postgres.databases)
      .filter((d) => d.parent === parent)
      .map((d) => d.name)
      .sort();
    const { items, next } = page(names, query.page_size, query.page_token);
    return { databases: items.map((n) => this.get(n)), ...(next ? { next_page_token: next } : {}) };
  }

  update(identity: string, name: string, mask: string | undefined, body: unknown): OperationJson {
    const record = this.#record(name);
    this.#deps.access.require(identity, name, "CAN_MANAGE");
    const spec = databaseBodySchema.parse(body ?? {}).spec ?? {};
    const paths = (mask ?? "spec").split(",").map((p) => p.trim());
    for (const path of paths) {
      if (!["spec", "spec.role", "spec.postgres_database"].includes(path)) {
        throw invalid(`Unknown field path in update_mask: '${path}'`);
      }
    }
    const whole = paths.includes("spec");
    if ((whole || paths.includes("spec.postgres_database")) && spec.postgres_database !== undefined) {
      if (spec.postgres_database !== record.status.postgres_database) {
        throw invalid("Renaming a database is not supported by the local Lakebase.");
      }
    }
    const role = (whole || paths.includes("spec.role")) && spec.role ? spec.role : undefined;
    const owner = role ? this.#role(record.parent, role) : undefined;
    if (role) record.status.role = role;
    stamp(record);
    return this.#deps.operations.start(name, "Database", async () => {
      if (owner) {
        await this.#deps.clusters
          .of(record.parent)
          .hold(({ admin }) => ensureDatabase(admin, record.status.postgres_database, owner));
      }
      await this.#deps.ctx.save();
      return databaseJson(record);
    });
  }

  delete(identity: string, name: string): OperationJson {
    const record = this.#record(name);
    this.#deps.access.require(identity, name, "CAN_MANAGE");
    return this.#deps.operations.start(name, "Database", async () => {
      await this.#deps.clusters
        .of(record.parent)
        .hold(({ admin }) => dropDatabase(admin, record.status.postgres_database));
      delete this.#deps.ctx.postgres.databases[name];
      await this.#deps.ctx.save();
      return undefined;
    });
  }

  /** Makes sure the branch has a database of that name (a catalog or synced table that creates it if missing). */
  async ensure(branch: string, postgresDatabase: string, ownerRole: string): Promise<DatabaseRecord> {
    const { postgres } = this.#deps.ctx;
    const found = Object.values(postgres.databases).find(
      (d) => d.parent === branch && d.status.postgres_database === postgresDatabase,
    );
    if (found) return found;
    checkPgName(postgresDatabase);
    const owner = this.#role(branch, ownerRole);
    let id = postgresDatabase
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^[^a-z]+/, "");
    if (id.length < 4) id = `db-${id}`.padEnd(4, "x");
    const record = newDatabase(branch, id.slice(0, 63), postgresDatabase, ownerRole);
    postgres.databases[record.name] = record;
    await this.#deps.clusters.of(branch).hold(({ admin }) => ensureDatabase(admin, postgresDatabase, owner));
    await this.#deps.ctx.save();
    return record;
  }

  #record(name: string): DatabaseRecord {
    this.#deps.access.branch(name.split("/").slice(0, 4).join("/"));
    const record = this.#deps.ctx.postgres.databases[name];
    if (!record) throw notFound("database");
    return record;
  }

  /** The Postgres name of a role resource of the branch (`projects/p/branches/b/roles/r`). */
  #role(branch: string, role: string): string {
    const record = this.#deps.ctx.postgres.roles[role];
    if (!record || record.parent !== branch) {
      throw invalid(`Field 'spec.role' must name a role of ${branch} (projects/.../roles/<id>): ${role}`);
    }
    return record.status.postgres_role;
  }
}

function checkPgName(name: string): void {
  if (!PG_NAME.test(name) || RESERVED_DATABASES.has(name)) {
    throw invalid(`'${name}' is not a database name that can be used here.`);
  }
}
