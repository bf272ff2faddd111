import { aclRequestSchema } from "../identity/schemas.ts";
import type { LakebaseService } from "../lakebase-service.ts";
import { API, body, parse, type Route } from "./route.ts";

/**
 * The generic permissions API for `database-instances` (what `w.permissions.*` calls). Note that the JS
 * SDK's `update` (PATCH) is sent without a body, so it changes nothing: use `set` (PUT) or send PATCH
 * yourself.
 */
export function permissionRoutes(route: Route, service: LakebaseService): void {
  const { permissions } = service;
  const path = `${API}/permissions/database-instances/:name`;
  const name = (c: { req: { param(key: string): string | undefined } }) => c.req.param("name") ?? "";

  route("GET", path, (c, identity) => permissions.get(identity, name(c)));
  route("GET", `${path}/permissionLevels`, (c, identity) => permissions.levels(identity, name(c)));
  route("PATCH", path, async (c, identity) =>
    permissions.update(identity, name(c), parse(aclRequestSchema, await body(c, true)), "add"),
  );
  route("PUT", path, async (c, identity) =>
    permissions.update(identity, name(c), parse(aclRequestSchema, await body(c, true)), "replace"),
  );
}
