import { randomUUID } from "node:crypto";
import { dropRole, ensureRole } from "../../compute/branch-objects.ts";
import { code } from "../../compute/cluster.ts";
import { page } from "../../database-api/paging.ts";
import type { RoleRecord } from "../../state/postgres-records.ts";
import type { PostgresDeps } from "../deps.ts";
import { badRequest, invalid, notFound } from "../errors.ts";
import { roleJson } from "../json.ts";
import { checkId, SHORT_ID } from "../names.ts";
import { newRole, stamp } from "../new-records.ts";
import type { OperationJson } from "../operations.ts";
import { roleBodySchema } from "../schemas.ts";

/**
 * Postgres roles of a branch. A role backed by a Databricks identity (`identity_type` USER or
 * SERVICE_PRINCIPAL, `auth_method` LAKEBASE_OAUTH_V1 by default) logs in with that identity's OAuth
 * tokens: an endpoint credential or its workspace token. It gets no grants beyond PUBLIC's unless made a
 * member of `databricks_superuser`. A duplicate is 400 BAD_REQUEST, as the service answers.
 */
export class Roles {
  readonly #deps: PostgresDeps;

  constructor(deps: PostgresDeps) {
    this.#deps = deps;
  }

  create(
    identity: string,
    parent: string,
    roleId: string | undefined,
    body: unknown,
    replaceExisting: boolean,
  ): OperationJson {
    const { ctx, access } = this.#deps;
    const branch = access.branch(parent);
    const id = roleId || `role-${randomUUID().slice(0, 8)}`;
    checkId(id, "role_id", SHORT_ID);
    access.require(identity, parent, "CAN_MANAGE");
    if (branch.status.current_state !== "READY") throw badRequest(`Branch '${parent}' is not READY.`);
    const spec = roleBodySchema.parse(body ?? {}).spec;
    if (!spec?.postgres_role) throw invalid("Field 'spec.postgres_role' is required.");
    const kind = spec.identity_type;
    if (kind === "USER" || kind === "SERVICE_PRINCIPAL") {
      const known = this.#deps.identities.kind(spec.postgres_role);
      if (known !== (kind === "USER" ? "user" : "service_principal")) {
        throw invalid(
          `${kind === "USER" ? "User" : "Service principal"} '${spec.postgres_role}' does not exist in this workspace.`,
        );
      }
    }
    const name = `${parent}/roles/${id}`;
    const existing = ctx.postgres.roles[name];
    const clash = Object.values(ctx.postgres.roles).find(
      (r) => r.parent === parent && r.status.postgres_role === spec.postgres_role && r.name !== name,
    );
    if ((existing && !replaceExisting) || clash) throw badRequest("role with that name already exists");
    const record = newRole(parent, id, { ...spec, postgres_role: spec.postgres_role });
    if (existing) record.create_time = existing.create_time;
    ctx.postgres.roles[name] = record;
    return this.#deps.operations.start(name, "Role", async () => {
      try {
        await this.#deps.clusters.of(parent).hold(({ admin }) => ensureRole(admin, record.status));
      } catch (error) {
        if (existing) ctx.postgres.roles[name] = existing;
        else delete ctx.postgres.roles[name];
        throw error;
      }
      await ctx.save();
      ctx.log({ event: "role_created", role: name });
      return roleJson(record);
    });
  }

  get(name: string) {
    return roleJson(this.#record(name));
  }

  list(parent: string, query: { page_size?: string; page_token?: string }) {
    this.#deps.access.branch(parent);
    const names = Object.values(this.#deps.ctx.postgres.roles)
      .filter((r) => r.parent === parent)
      .map((r) => r.name)
      .sort();
    const { items, next } = page(names, query.page_size, query.page_token);
    return { roles: items.map((n) => this.get(n)), ...(next ? { next_page_token: next } : {}) };
  }

  update(identity: string, name: string, mask: string | undefined, body: unknown): OperationJson {
    const record = this.#record(name);
    this.#deps.access.require(identity, name, "CAN_MANAGE");
    const spec = roleBodySchema.parse(body ?? {}).spec ?? {};
    const paths = (mask ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean);
    const whole = paths.length === 0 || paths.includes("spec");
    const has = (field: string) =>
      whole || paths.some((p) => p === `spec.${field}` || p.startsWith(`spec.${field}.`));
    if (has("postgres_role") && spec.postgres_role && spec.postgres_role !== record.status.postgres_role) {
      throw invalid("Renaming a role is not supported by the local Lakebase.");
    }
    const next = newRole(record.parent, record.role_id, {
      ...spec,
      postgres_role: record.status.postgres_role,
    }).status;
    const status = record.status;
    if (has("auth_method") && spec.auth_method) status.auth_method = next.auth_method;
    if (has("identity_type") && spec.identity_type) status.identity_type = next.identity_type;
    if (has("attributes") && spec.attributes) status.attributes = next.attributes;
    if (has("membership_roles") && spec.membership_roles)
      status.membership_roles = next.membership_roles ?? [];
    stamp(record);
    return this.#deps.operations.start(name, "Role", async () => {
      await this.#deps.clusters.of(record.parent).hold(({ admin }) => ensureRole(admin, record.status));
      await this.#deps.ctx.save();
      return roleJson(record);
    });
  }

  delete(identity: string, name: string, reassignOwnedTo: string | undefined): OperationJson {
    const record = this.#record(name);
    this.#deps.access.require(identity, name, "CAN_MANAGE");
    const { postgres } = this.#deps.ctx;
    let reassign: string | undefined;
    if (reassignOwnedTo) {
      const target = postgres.roles[reassignOwnedTo];
      if (!target || target.parent !== record.parent)
        throw invalid(`Field 'reassign_owned_to' must name a role of ${record.parent}.`);
      reassign = target.status.postgres_role;
    }
    const owns = Object.values(postgres.databases).filter((d) => d.status.role === name);
    if (owns.length > 0 && !reassign) {
      throw badRequest(
        `role owns database(s) ${owns.map((d) => d.status.postgres_database).join(", ")}; set reassign_owned_to`,
      );
    }
    const databases = Object.values(postgres.databases)
      .filter((d) => d.parent === record.parent)
      .map((d) => d.status.postgres_database);
    return this.#deps.operations.start(name, "Role", async () => {
      try {
        await this.#deps.clusters
          .of(record.parent)
          .hold(({ admin }) => dropRole(admin, record.status.postgres_role, databases, reassign));
      } catch (error) {
        if (code(error) === "2BP01")
          throw badRequest(`role still owns objects; set reassign_owned_to (${(error as Error).message})`);
        throw error;
      }
      for (const d of owns) d.status.role = reassignOwnedTo ?? d.status.role;
      delete postgres.roles[name];
      await this.#deps.ctx.save();
      return undefined;
    });
  }

  #record(name: string): RoleRecord {
    this.#deps.access.branch(name.split("/").slice(0, 4).join("/"));
    const record = this.#deps.ctx.postgres.roles[name];
    if (!record) throw notFound("role");
    return record;
  }
}
