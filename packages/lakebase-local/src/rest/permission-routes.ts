import { aclRequestSchema } from "../identity/schemas.ts";
import type { LakebaseService } from "../lakebase-service.ts";
import { API, body, parse, type Route } from "./route.ts";

/**
 * The generic permissions API for `database-instances` (what `w.permissions.*` calls; a project named as
 * an instance answers with the project's ACL) and `database-projects` (the object type Databricks' CLI
 * uses for projects). Note that the JS SDK's `update` (PATCH) is sent without a body, so it changes
 * nothing: use `set` (PUT) or send PATCH yourself.
 */
export function permissionRoutes(route: Route, service: LakebaseService): void {
  const { permissions } = service;
  const { aliases, access } = service.postgres;
  const instances = `${API}/permissions/database-instances/:name`;
  const projects = `${API}/permissions/database-projects/:name`;
  const name = (c: { req: { param(key: string): string | undefined } }) => c.req.param("name") ?? "";

  route("GET", instances, (c, identity) =>
    aliases.find(name(c)) ? aliases.permissions(identity, name(c)) : permissions.get(identity, name(c)),
  );
  route("GET", `${instances}/permissionLevels`, (c, identity) =>
    aliases.find(name(c)) ? access.levels(identity, name(c)) : permissions.levels(identity, name(c)),
  );
  for (const [method, mode] of [
    ["PATCH", "add"],
    ["PUT", "replace"],
  ] as const) {
    route(method, instances, async (c, identity) => {
      const request = parse(aclRequestSchema, await body(c, true));
      return aliases.find(name(c))
        ? aliases.updatePermissions(identity, name(c), request, mode)
        : permissions.update(identity, name(c), request, mode);
    });
    route(method, projects, async (c, identity) =>
      access.update(identity, name(c), parse(aclRequestSchema, await body(c, true)), mode),
    );
  }
  route("GET", projects, (c, identity) => access.get(identity, name(c)));
  route("GET", `${projects}/permissionLevels`, (c, identity) => access.levels(identity, name(c)));
}
