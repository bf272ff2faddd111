import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { z } from "zod";
import { procedureContext } from "../../http/trpc/procedure-context.ts";
import { requireAdmin } from "../../routers/admin-procedure.ts";
import type { AppServices } from "../../start/services.ts";
import type { Call } from "../procedures.ts";
import { failure, json } from "../responses.ts";
import type { RestEnv } from "../types.ts";
import {
  createOutput,
  createQuery,
  deleteOutput,
  deleteQuery,
  statusOutput,
  toCreateOutput,
  toDeleteOutput,
  toStatusOutput,
} from "./resources-schemas.ts";

const tags = ["lakebase"];
export const admin = {
  400: failure[400],
  403: failure[403],
  409: failure[409],
  412: failure[412],
  503: failure[503],
};

/**
 * Admins first, as the tRPC admin procedures do: a caller outside APP_ADMINS is refused (and audited) before
 * any input check, and an admin's input refused at the REST edge is audited too (the validation hook).
 */
export function adminOnly(
  services: AppServices,
  action: string,
  query: z.ZodType,
): MiddlewareHandler<RestEnv> {
  return async (c, next) => {
    // Audited as the REST caller spelled it (snake_case, from strings), not against the tRPC input.
    await requireAdmin(procedureContext(c, services), action, c.req.query(), query);
    c.set("adminAction", { action, query });
    await next();
  };
}

const status = createRoute({
  method: "get",
  path: "/resources/status",
  operationId: "get_lakebase_status",
  tags,
  summary: "Status of the Lakebase resources and of the running operation",
  description: "Poll it after a create: provisioning continues in the background.",
  responses: { 200: json(statusOutput, "The instance, catalog and synced table, and who is asking") },
});

export function resourcesRoutes(services: AppServices, call: Call) {
  const create = createRoute({
    method: "post",
    path: "/resources/create-lakebase-resources",
    operationId: "create_lakebase_resources",
    tags,
    summary: "Create Lakebase Resources",
    description:
      "Admins only (APP_ADMINS), audited. Creates the instance, catalog and synced table (existing ones are kept) and answers after the first calls; provisioning continues in the background.",
    middleware: [adminOnly(services, "lakebase.create", createQuery.schema)] as const,
    request: { query: createQuery.schema },
    responses: { 200: json(createOutput, "What was created, per resource"), ...admin },
  });

  const remove = createRoute({
    method: "delete",
    path: "/resources/delete-lakebase-resources",
    operationId: "delete_lakebase_resources",
    tags,
    summary: "Delete Lakebase Resources",
    description:
      "Admins only (APP_ADMINS), audited. Deletes the synced table, then the catalog, then the instance, each once the previous one is gone.",
    middleware: [adminOnly(services, "lakebase.delete", deleteQuery.schema)] as const,
    request: { query: deleteQuery.schema },
    responses: { 200: json(deleteOutput, "What was deleted, per resource"), ...admin },
  });

  return new OpenAPIHono<RestEnv>()
    .openapi(status, async (c) => c.json(toStatusOutput(await call(c).lakebase.status()), 200))
    .openapi(create, async (c) => {
      const r = await call(c).lakebase.create(createQuery.toInput(c.req.valid("query")));
      return c.json(toCreateOutput(r), 200);
    })
    .openapi(remove, async (c) => {
      // confirm_deletion=true (checked by the route's schema) stands for the tRPC confirmation, the name.
      const r = await call(c).lakebase.delete({ confirmName: services.lakebase.names.instanceName });
      return c.json(toDeleteOutput(r), 200);
    });
}

export const resourcesNames = [createQuery, deleteQuery].map((f) => f.names);
