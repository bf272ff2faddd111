import { z } from "zod";
import { permissionDenied } from "../api-error.ts";
import { faultRequestSchema } from "../faults.ts";
import { userRequestSchema } from "../identity/schemas.ts";
import { body, parse, type RestDeps, type Route } from "./route.ts";

const replicaRequestSchema = z.object({
  apply_delay_ms: z.number().int().min(0).max(3_600_000),
});

/** Test hooks under /__local/ (not part of Databricks): faults, counters, users, replica lag. */
export function localRoutes(route: Route, deps: RestDeps): void {
  route("POST", "/__local/faults", async (c) => deps.faults.apply(parse(faultRequestSchema, await body(c))));
  route("GET", "/__local/counters", () => deps.counters());
  // Replica lag on demand: the apply delay of every hot standby (instances' secondary, read-only endpoints).
  route("GET", "/__local/replica", () => replicaState(deps));
  route("POST", "/__local/replica", async (c) => {
    const input = parse(replicaRequestSchema, await body(c));
    await deps.service.setReplicaDelay(input.apply_delay_ms);
    return replicaState(deps);
  });
  // Failover of the instances' cluster to its readable secondary (see InstanceReplica.failover).
  route("POST", "/__local/replica/failover", async () => {
    await deps.service.failover();
    return replicaState(deps);
  });
  // A workspace admin (the workspace token) adds users, as an admin would in the account console.
  route("POST", "/__local/users", async (c, identity) => {
    if (!deps.identities.isAdmin(identity)) throw permissionDenied("Only workspace admins can add users.");
    const input = parse(userRequestSchema, await body(c));
    const token = deps.addUser(input.email, { admin: input.admin ?? false });
    return { user_name: input.email, token };
  });
}

async function replicaState(deps: RestDeps) {
  const { replica, postgres } = deps.service;
  return {
    apply_delay_ms: replica.delayMs,
    instances_secondary: await replica.lag(),
    endpoints: await postgres.computes.lag(),
  };
}
