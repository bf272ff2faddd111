import { notImplemented } from "../api-error.ts";
import {
  catalogInputSchema,
  credentialRequestSchema,
  instanceInputSchema,
  postgresCredentialRequestSchema,
  syncedTableInputSchema,
} from "../database-api/schemas.ts";
import type { LakebaseService } from "../lakebase-service.ts";
import { API, body, parse, type Route } from "./route.ts";

/** The `database` API (instances, credentials, catalogs, synced tables) and Autoscaling credentials. */
export function databaseRoutes(route: Route, service: LakebaseService): void {
  const { instances, credentials, catalogs, syncedTables } = service;
  const name = (c: { req: { param(key: string): string | undefined } }) => c.req.param("name") ?? "";

  route("POST", `${API}/database/instances`, async (c, identity) =>
    instances.create(parse(instanceInputSchema, await body(c)), identity),
  );
  route("GET", `${API}/database/instances`, (c) =>
    instances.list(c.req.query("page_size"), c.req.query("page_token")),
  );
  route("GET", `${API}/database/instances/:name`, (c) => instances.get(name(c)));
  route("PATCH", `${API}/database/instances/:name`, async (c, identity) =>
    instances.update(identity, name(c), c.req.query("update_mask"), await body(c, true)),
  );
  route("DELETE", `${API}/database/instances/:name`, (c, identity) =>
    instances.delete(identity, name(c), c.req.query("purge")),
  );
  route("GET", `${API}/database/instances/:name/catalogs`, () => {
    throw notImplemented("Listing database catalogs is not implemented.");
  });
  route("GET", `${API}/database/instances/:name/synced_tables`, () => {
    throw notImplemented("Listing synced database tables is not implemented.");
  });

  route("POST", `${API}/database/credentials`, async (c, identity) => {
    const input = parse(credentialRequestSchema, await body(c));
    return credentials.generate(identity, input.instance_names);
  });
  route("POST", `${API}/postgres/credentials`, async (c, identity) => {
    const input = parse(postgresCredentialRequestSchema, await body(c));
    return credentials.generateForEndpoint(identity, input.endpoint);
  });

  route("POST", `${API}/database/catalogs`, async (c, identity) =>
    catalogs.create(identity, parse(catalogInputSchema, await body(c))),
  );
  route("GET", `${API}/database/catalogs/:name`, (c) => catalogs.get(name(c)));
  route("DELETE", `${API}/database/catalogs/:name`, (c, identity) => catalogs.delete(identity, name(c)));
  route("PATCH", `${API}/database/catalogs/:name`, () => {
    throw notImplemented("Updating a database catalog is not implemented.");
  });

  route("POST", `${API}/database/synced_tables`, async (c, identity) =>
    syncedTables.create(identity, parse(syncedTableInputSchema, await body(c))),
  );
  route("GET", `${API}/database/synced_tables/:name`, (c) => syncedTables.get(name(c)));
  route("DELETE", `${API}/database/synced_tables/:name`, (c, identity) =>
    // The JS SDK cannot send purge_data; the REST API takes it on the query string.
    syncedTables.delete(identity, name(c), c.req.query("purge_data") === "true"),
  );
  route("PATCH", `${API}/database/synced_tables/:name`, () => {
    throw notImplemented("Updating a synced database table is not implemented.");
  });
}
