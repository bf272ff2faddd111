import { permissionDenied } from "../api-error.ts";
import { faultRequestSchema } from "../faults.ts";
import { userRequestSchema } from "../identity/schemas.ts";
import { body, parse, type RestDeps, type Route } from "./route.ts";

/** Test hooks under /__local/ (not part of Databricks): faults, counters, users. */
export function localRoutes(route: Route, deps: RestDeps): void {
  route("POST", "/__local/faults", async (c) => deps.faults.apply(parse(faultRequestSchema, await body(c))));
  route("GET", "/__local/counters", () => deps.counters());
  // A workspace admin (the workspace token) adds users, as an admin would in the account console.
  route("POST", "/__local/users", async (c, identity) => {
    if (!deps.identities.isAdmin(identity)) throw permissionDenied("Only workspace admins can add users.");
    const input = parse(userRequestSchema, await body(c));
    const token = deps.addUser(input.email, { admin: input.admin ?? false });
    return { user_name: input.email, token };
  });
}
