import type { Context } from "hono";
import { LakebaseApiError } from "../api-error.ts";
import type { LakebaseService } from "../lakebase-service.ts";
import { credentialBodySchema } from "../postgres-api/schemas.ts";
import { API, body, parse, type Route } from "./route.ts";

const PREFIX = `${API}/postgres/`;

/** A resource path of the `postgres` API, read from the URL (names are `projects/p/branches/b/...`). */
type Target =
  | { kind: "operation"; name: string }
  | { kind: "project" | "branch" | "endpoint" | "database" | "role"; name: string }
  | { kind: "collection"; parent: string; of: "branches" | "endpoints" | "databases" | "roles" }
  | { kind: "undelete"; name: string }
  | { kind: "catalog" | "synced_table"; name: string };

function targetOf(path: string): Target | undefined {
  const rest = decodeURIComponent(path.slice(PREFIX.length)).replace(/\/$/, "");
  const parts = rest.split("/");
  const ops = parts.indexOf("operations");
  if (ops > 0 && ops === parts.length - 2) return { kind: "operation", name: rest };
  if (parts[0] === "catalogs" && parts.length === 2) return { kind: "catalog", name: rest };
  if (parts[0] === "synced_tables" && parts.length === 2) return { kind: "synced_table", name: rest };
  if (parts[0] !== "projects" || parts.length < 2) return undefined;
  if (
    parts.at(-1) === "undelete" &&
    (parts.length === 3 || (parts.length === 5 && parts[2] === "branches"))
  ) {
    return { kind: "undelete", name: parts.slice(0, -1).join("/") };
  }
  if (parts.length === 2) return { kind: "project", name: rest };
  if (parts[2] !== "branches") return undefined;
  if (parts.length === 3) return { kind: "collection", parent: parts.slice(0, 2).join("/"), of: "branches" };
  if (parts.length === 4) return { kind: "branch", name: rest };
  const collection = parts[4];
  if (collection !== "endpoints" && collection !== "databases" && collection !== "roles") return undefined;
  if (parts.length === 5) return { kind: "collection", parent: parts.slice(0, 4).join("/"), of: collection };
  if (parts.length !== 6) return undefined;
  const kinds = { endpoints: "endpoint", databases: "database", roles: "role" } as const;
  return { kind: kinds[collection], name: rest };
}

/**
 * The `postgres` API (Autoscaling): projects, branches, endpoints, databases, roles, catalogs, synced
 * tables, credentials and operations, at `/api/2.0/postgres/<resource name>`. Ids of new resources go in
 * the query string (`?project_id=`), the resource (`{spec}`) in the body; mutations answer an operation.
 */
export function postgresRoutes(route: Route, service: LakebaseService): void {
  const pg = service.postgres;
  const query = (c: Context) => c.req.query() as Record<string, string | undefined>;

  route("POST", `${API}/postgres/projects`, async (c, identity) =>
    pg.projects.create(identity, c.req.query("project_id"), await body(c, true)),
  );
  route("GET", `${API}/postgres/projects`, (c) => pg.projects.list(query(c)));
  route("POST", `${API}/postgres/credentials`, async (c, identity) =>
    pg.credentials.generate(identity, parse(credentialBodySchema, await body(c))),
  );
  route("POST", `${API}/postgres/catalogs`, async (c, identity) =>
    pg.catalogs.create(identity, c.req.query("catalog_id"), await body(c)),
  );
  route("POST", `${API}/postgres/synced_tables`, async (c, identity) =>
    pg.syncedTables.create(identity, c.req.query("synced_table_id"), await body(c)),
  );

  route("GET", `${PREFIX}*`, (c) => {
    const target = targetOf(c.req.path);
    const q = query(c);
    switch (target?.kind) {
      case "operation":
        return pg.operations.get(target.name);
      case "project":
        return pg.projects.get(target.name);
      case "branch":
        return pg.branches.get(target.name);
      case "endpoint":
        return pg.endpoints.get(target.name);
      case "database":
        return pg.databases.get(target.name);
      case "role":
        return pg.roles.get(target.name);
      case "catalog":
        return pg.catalogs.get(target.name);
      case "synced_table":
        return pg.syncedTables.get(target.name);
      case "collection":
        if (target.of === "branches") return pg.branches.list(target.parent, q);
        if (target.of === "endpoints") return pg.endpoints.list(target.parent, q);
        if (target.of === "databases") return pg.databases.list(target.parent, q);
        return pg.roles.list(target.parent, q);
      default:
        return noSuchApi(c);
    }
  });

  route("POST", `${PREFIX}*`, async (c, identity) => {
    const target = targetOf(c.req.path);
    if (target?.kind === "undelete") {
      return target.name.includes("/branches/")
        ? pg.branches.undelete(identity, target.name)
        : pg.projects.undelete(identity, target.name);
    }
    if (target?.kind !== "collection") return noSuchApi(c);
    const replace = c.req.query("replace_existing") === "true";
    const input = await body(c, true);
    switch (target.of) {
      case "branches":
        return pg.branches.create(identity, target.parent, c.req.query("branch_id"), input, replace);
      case "endpoints":
        return pg.endpoints.create(identity, target.parent, c.req.query("endpoint_id"), input, replace);
      case "databases":
        return pg.databases.create(identity, target.parent, c.req.query("database_id"), input, replace);
      default:
        return pg.roles.create(identity, target.parent, c.req.query("role_id"), input, replace);
    }
  });

  route("PATCH", `${PREFIX}*`, async (c, identity) => {
    const target = targetOf(c.req.path);
    const mask = c.req.query("update_mask");
    const input = await body(c, true);
    switch (target?.kind) {
      case "project":
        return pg.projects.update(identity, target.name, mask, input);
      case "branch":
        return pg.branches.update(identity, target.name, mask, input);
      case "endpoint":
        return pg.endpoints.update(identity, target.name, mask, input);
      case "database":
        return pg.databases.update(identity, target.name, mask, input);
      case "role":
        return pg.roles.update(identity, target.name, mask, input);
      default:
        return noSuchApi(c);
    }
  });

  route("DELETE", `${PREFIX}*`, (c, identity) => {
    const target = targetOf(c.req.path);
    const q = query(c);
    switch (target?.kind) {
      case "project":
        return pg.projects.delete(identity, target.name, q.purge);
      case "branch":
        return pg.branches.delete(identity, target.name, q);
      case "endpoint":
        return pg.endpoints.delete(identity, target.name);
      case "database":
        return pg.databases.delete(identity, target.name);
      case "role":
        return pg.roles.delete(identity, target.name, q.reassign_owned_to);
      case "catalog":
        return pg.catalogs.delete(identity, target.name);
      case "synced_table":
        return pg.syncedTables.delete(identity, target.name, q.purge_data === "true");
      default:
        return noSuchApi(c);
    }
  });
}

/** A path under /postgres/ that names no resource. */
function noSuchApi(c: Context): never {
  throw new LakebaseApiError(404, "ENDPOINT_NOT_FOUND", `No API found for '${c.req.method} ${c.req.path}'`);
}
