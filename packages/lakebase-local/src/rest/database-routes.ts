import { alreadyExists, notImplemented } from "../api-error.ts";
import { page } from "../database-api/paging.ts";
import {
  catalogInputSchema,
  credentialRequestSchema,
  instanceInputSchema,
  syncedTableInputSchema,
} from "../database-api/schemas.ts";
import type { LakebaseService } from "../lakebase-service.ts";
import type { CatalogRecord } from "../state/records.ts";
import { API, body, parse, type Route } from "./route.ts";

/**
 * The `database` API (instances, credentials, catalogs, synced tables). Projects are instances too (named
 * after their id): each call goes to the Provisioned resources or to the project's view of them.
 */
export function databaseRoutes(route: Route, service: LakebaseService): void {
  const { instances, credentials, catalogs, syncedTables } = service;
  const { aliases, catalogs: branchCatalogs, syncedTables: branchTables } = service.postgres;
  const name = (c: { req: { param(key: string): string | undefined } }) => c.req.param("name") ?? "";

  route("POST", `${API}/database/instances`, async (c, identity) => {
    const input = parse(instanceInputSchema, await body(c));
    if (aliases.find(input.name)) throw alreadyExists(`Database instance '${input.name}' already exists.`);
    return instances.create(input, identity);
  });
  route("GET", `${API}/database/instances`, (c) => {
    const names = [...new Set([...Object.keys(service.state.instances), ...aliases.names()])].sort();
    const { items, next } = page(names, c.req.query("page_size"), c.req.query("page_token"));
    return {
      database_instances: items.map((n) => {
        const project = aliases.find(n);
        return project ? aliases.json(project) : instances.get(n);
      }),
      ...(next ? { next_page_token: next } : {}),
    };
  });
  route("GET", `${API}/database/instances/:name`, (c) =>
    aliases.find(name(c)) ? aliases.get(name(c)) : instances.get(name(c)),
  );
  route("PATCH", `${API}/database/instances/:name`, async (c, identity) => {
    const input = await body(c, true);
    const mask = c.req.query("update_mask");
    return aliases.find(name(c))
      ? aliases.update(identity, name(c), mask, input)
      : instances.update(identity, name(c), mask, input);
  });
  route("DELETE", `${API}/database/instances/:name`, (c, identity) =>
    aliases.find(name(c))
      ? aliases.delete(identity, name(c), c.req.query("purge"))
      : instances.delete(identity, name(c), c.req.query("purge")),
  );
  route("GET", `${API}/database/instances/:name/catalogs`, () => {
    throw notImplemented("Listing database catalogs is not implemented.");
  });
  route("GET", `${API}/database/instances/:name/synced_tables`, () => {
    throw notImplemented("Listing synced database tables is not implemented.");
  });

  route("POST", `${API}/database/credentials`, async (c, identity) => {
    const input = parse(credentialRequestSchema, await body(c));
    const projects = input.instance_names.filter((n) => aliases.find(n));
    const rest = input.instance_names.filter((n) => !aliases.find(n));
    aliases.checkCredential(identity, projects);
    return credentials.generate(identity, rest, projects);
  });

  route("POST", `${API}/database/catalogs`, async (c, identity) => {
    const input = parse(catalogInputSchema, await body(c));
    if (!aliases.find(input.database_instance_name)) return catalogs.create(identity, input);
    return catalogJson(
      await branchCatalogs.createOnProject(identity, {
        name: input.name,
        project: `projects/${input.database_instance_name}`,
        database_name: input.database_name,
        ...(input.create_database_if_not_exists !== undefined
          ? { create_database_if_not_exists: input.create_database_if_not_exists }
          : {}),
      }),
    );
  });
  route("GET", `${API}/database/catalogs/:name`, (c) => catalogJson(catalogs.get(name(c))));
  route("DELETE", `${API}/database/catalogs/:name`, async (c, identity) => {
    const record = service.state.catalogs[name(c)];
    if (!record?.branch) return catalogs.delete(identity, name(c));
    await branchCatalogs.deleteNow(identity, name(c));
    return {};
  });
  route("PATCH", `${API}/database/catalogs/:name`, () => {
    throw notImplemented("Updating a database catalog is not implemented.");
  });

  route("POST", `${API}/database/synced_tables`, async (c, identity) => {
    const input = parse(syncedTableInputSchema, await body(c));
    const catalog = service.state.catalogs[input.name.split(".")[0] ?? ""];
    const onProject = catalog?.branch !== undefined || aliases.find(input.database_instance_name ?? "");
    return onProject
      ? branchTables.createFromDatabaseApi(identity, input)
      : syncedTables.create(identity, input);
  });
  route("GET", `${API}/database/synced_tables/:name`, (c) =>
    branchTables.has(name(c)) ? branchTables.databaseApiGet(name(c)) : syncedTables.get(name(c)),
  );
  route("DELETE", `${API}/database/synced_tables/:name`, (c, identity) => {
    // The JS SDK cannot send purge_data; the REST API takes it on the query string.
    const purge = c.req.query("purge_data") === "true";
    return branchTables.has(name(c))
      ? branchTables.delete(identity, name(c), purge, "database")
      : syncedTables.delete(identity, name(c), purge);
  });
  route("PATCH", `${API}/database/synced_tables/:name`, () => {
    throw notImplemented("Updating a synced database table is not implemented.");
  });
}

/** A catalog as the `database` API shows it (a project's catalogs say which instance, not which branch). */
function catalogJson(record: Pick<CatalogRecord, keyof CatalogRecord>) {
  const { branch: _branch, create_time: _time, ...rest } = record;
  return rest;
}
