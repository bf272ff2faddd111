import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppServices } from "../../start/services.ts";
import type { Call } from "../procedures.ts";
import { failure, json } from "../responses.ts";
import type { RestEnv } from "../types.ts";
import {
  actionOutput,
  attachQuery,
  branchCreateQuery,
  branchDeleteQuery,
  branchesOutput,
  branchPath,
  endpointCreateQuery,
  endpointDeleteQuery,
  endpointPath,
  endpointsOutput,
  endpointUpdateQuery,
  toActionOutput,
  toBranchesOutput,
  toEndpointsOutput,
} from "./autoscaling-schemas.ts";
import { admin, adminOnly } from "./resources-routes.ts";

const tags = ["lakebase autoscaling"];
const ONLY = "Lakebase Autoscaling only (412 on a Provisioned app).";
const ADMIN = `Admins only (APP_ADMINS), audited. ${ONLY} Answers once Databricks took it; it goes on in the background: GET /api/v1/resources/status shows its progress.`;
const read = { 400: failure[400], 412: failure[412], 503: failure[503] } as const;

/**
 * `/api/v1/resources/branches...`: the Autoscaling procedures over REST, each calling the tRPC procedure it
 * mirrors (same admin check, flavour check, input schema, audit and errors).
 */
export function autoscalingRoutes(services: AppServices, call: Call) {
  const listBranches = createRoute({
    method: "get",
    path: "/resources/branches",
    operationId: "list_lakebase_branches",
    tags,
    summary: "The project's branches",
    description: ONLY,
    responses: { 200: json(branchesOutput, "Every branch, the app's marked in_use"), ...read },
  });
  const createBranch = createRoute({
    method: "post",
    path: "/resources/branches",
    operationId: "create_lakebase_branch",
    tags,
    summary: "Create a branch (a copy of its parent, now or at a past time)",
    description: ADMIN,
    middleware: [adminOnly(services, "lakebase.branches.create", branchCreateQuery.schema)] as const,
    request: { query: branchCreateQuery.schema },
    responses: { 200: json(actionOutput, "The operation"), ...admin },
  });
  const deleteBranch = createRoute({
    method: "delete",
    path: "/resources/branches/{branch_id}",
    operationId: "delete_lakebase_branch",
    tags,
    summary: "Delete a branch with the data attached to it",
    description: ADMIN,
    middleware: [adminOnly(services, "lakebase.branches.delete", branchDeleteQuery.schema)] as const,
    request: { params: branchPath.schema, query: branchDeleteQuery.schema },
    responses: { 200: json(actionOutput, "The operation"), ...admin },
  });
  const listEndpoints = createRoute({
    method: "get",
    path: "/resources/branches/{branch_id}/endpoints",
    operationId: "list_lakebase_endpoints",
    tags,
    summary: "A branch's endpoints (computes)",
    description: ONLY,
    request: { params: branchPath.schema },
    responses: { 200: json(endpointsOutput, "Every endpoint of the branch"), ...read },
  });
  const createEndpoint = createRoute({
    method: "post",
    path: "/resources/branches/{branch_id}/endpoints",
    operationId: "create_lakebase_endpoint",
    tags,
    summary: "Add a read-only endpoint",
    description: ADMIN,
    middleware: [adminOnly(services, "lakebase.endpoints.create", endpointCreateQuery.schema)] as const,
    request: { params: branchPath.schema, query: endpointCreateQuery.schema },
    responses: { 200: json(actionOutput, "The operation"), ...admin },
  });
  const updateEndpoint = createRoute({
    method: "patch",
    path: "/resources/branches/{branch_id}/endpoints/{endpoint_id}",
    operationId: "update_lakebase_endpoint",
    tags,
    summary: "Set an endpoint's min/max CU and suspend timeout",
    description: ADMIN,
    middleware: [adminOnly(services, "lakebase.endpoints.update", endpointUpdateQuery.schema)] as const,
    request: { params: endpointPath.schema, query: endpointUpdateQuery.schema },
    responses: { 200: json(actionOutput, "The operation"), ...admin },
  });
  const deleteEndpoint = createRoute({
    method: "delete",
    path: "/resources/branches/{branch_id}/endpoints/{endpoint_id}",
    operationId: "delete_lakebase_endpoint",
    tags,
    summary: "Delete a read-only endpoint",
    description: ADMIN,
    middleware: [adminOnly(services, "lakebase.endpoints.delete", endpointDeleteQuery.schema)] as const,
    request: { params: endpointPath.schema, query: endpointDeleteQuery.schema },
    responses: { 200: json(actionOutput, "The operation"), ...admin },
  });
  const attach = createRoute({
    method: "post",
    path: "/resources/branches/{branch_id}/data",
    operationId: "attach_lakebase_data",
    tags,
    summary: "Attach a catalog and the synced table to a branch's database",
    description: ADMIN,
    middleware: [adminOnly(services, "lakebase.data.attach", attachQuery.schema)] as const,
    request: { params: branchPath.schema, query: attachQuery.schema },
    responses: { 200: json(actionOutput, "The operation"), ...admin },
  });

  return new OpenAPIHono<RestEnv>()
    .openapi(listBranches, async (c) => c.json(toBranchesOutput(await call(c).lakebase.branches.list()), 200))
    .openapi(createBranch, async (c) => {
      const r = await call(c).lakebase.branches.create(branchCreateQuery.toInput(c.req.valid("query")));
      return c.json(toActionOutput(r), 200);
    })
    .openapi(deleteBranch, async (c) => {
      const { branchId } = branchPath.toInput(c.req.valid("param"));
      const r = await call(c).lakebase.branches.delete({
        branchId,
        ...branchDeleteQuery.toInput(c.req.valid("query")),
      });
      return c.json(toActionOutput(r), 200);
    })
    .openapi(listEndpoints, async (c) => {
      const r = await call(c).lakebase.endpoints.list(branchPath.toInput(c.req.valid("param")));
      return c.json(toEndpointsOutput(r), 200);
    })
    .openapi(createEndpoint, async (c) => {
      const r = await call(c).lakebase.endpoints.create({
        ...branchPath.toInput(c.req.valid("param")),
        ...endpointCreateQuery.toInput(c.req.valid("query")),
      });
      return c.json(toActionOutput(r), 200);
    })
    .openapi(updateEndpoint, async (c) => {
      const { noSuspension, ...settings } = endpointUpdateQuery.toInput(c.req.valid("query"));
      const r = await call(c).lakebase.endpoints.update({
        ...endpointPath.toInput(c.req.valid("param")),
        ...settings,
        ...(noSuspension ? { suspendTimeoutSeconds: null } : {}),
      });
      return c.json(toActionOutput(r), 200);
    })
    .openapi(deleteEndpoint, async (c) => {
      const r = await call(c).lakebase.endpoints.delete({
        ...endpointPath.toInput(c.req.valid("param")),
        ...endpointDeleteQuery.toInput(c.req.valid("query")),
      });
      return c.json(toActionOutput(r), 200);
    })
    .openapi(attach, async (c) => {
      const r = await call(c).lakebase.data.attach({
        ...branchPath.toInput(c.req.valid("param")),
        ...attachQuery.toInput(c.req.valid("query")),
      });
      return c.json(toActionOutput(r), 200);
    });
}
