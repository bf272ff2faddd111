import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { serializeError } from "@lakebase-orders/log";
import { TRPCError } from "@trpc/server";
import { retryAfterHeaders } from "../errors/domain-error.ts";
import { procedureContext } from "../http/trpc/procedure-context.ts";
import { auditAdmin } from "../routers/admin-procedure.ts";
import type { AppServices } from "../start/services.ts";
import { docsRoutes } from "./openapi/docs.ts";
import { openApiDocument } from "./openapi/openapi.ts";
import { ordersNames, ordersRoutes } from "./orders/orders-routes.ts";
import { describeIssues, problemOf, speakerFor } from "./problem.ts";
import { type Call, procedures } from "./procedures.ts";
import { autoscalingRoutes } from "./resources/autoscaling-routes.ts";
import { autoscalingNames } from "./resources/autoscaling-schemas.ts";
import { resourcesNames, resourcesRoutes } from "./resources/resources-routes.ts";
import { json } from "./responses.ts";
import type { RestEnv } from "./types.ts";

const healthcheck = createRoute({
  method: "get",
  path: "/v1/healthcheck",
  operationId: "healthcheck",
  tags: ["health"],
  summary: "The API answers",
  responses: {
    200: json(
      z.object({ status: z.literal("OK"), timestamp: z.iso.datetime() }),
      "Always OK while the process runs",
    ),
  },
});

/**
 * The REST surface: the guide's routes under `/api/v1`, the OpenAPI document at `/api/openapi.json` and its
 * interactive docs at `/api/docs`. Mount it where `/api/trpc` is mounted, after the middlewares that guard
 * `/api/*`, so both surfaces pass the same ones.
 * @example app.route("/", restApi(services));
 */
export function restApi(services: AppServices) {
  const speak = speakerFor([...ordersNames, ...resourcesNames, ...autoscalingNames]);
  const call: Call = (c) => procedures(c, services);
  const api = new OpenAPIHono<RestEnv>({
    defaultHook: async (result, c) => {
      if (result.success) return;
      const detail = describeIssues(result.error, result.target, speak);
      const admin = c.get("adminAction");
      if (admin) {
        await auditAdmin(
          procedureContext(c, services),
          {
            action: admin.action,
            input: c.req.query(),
            outcome: "rejected",
            detail: { code: "BAD_REQUEST", message: detail },
          },
          admin.query,
        );
      }
      return c.json({ detail }, 400);
    },
  }).basePath("/api");

  api.route("/v1", ordersRoutes(call));
  api.route("/v1", resourcesRoutes(services, call));
  api.route("/v1", autoscalingRoutes(services, call));
  api.openapi(healthcheck, (c) =>
    c.json({ status: "OK" as const, timestamp: new Date().toISOString() }, 200),
  );
  api.all("/v1/*", (c) => c.json({ detail: "Not Found" }, 404));

  const document = openApiDocument(api);
  api.get("/openapi.json", (c) => c.json(document()));
  api.route("/docs", docsRoutes({ base: "/api/docs", specUrl: "/api/openapi.json" }));

  api.onError((error, c) => {
    const { status, detail } = problemOf(error, speak);
    // Failed procedures were logged by the caller (procedures.ts); anything else that breaks is logged here.
    if (status >= 500 && !(error instanceof TRPCError)) {
      services.logger.error("unhandled error", {
        requestId: c.get("requestId"),
        error: serializeError(error),
      });
    }
    return c.json({ detail }, status, retryAfterHeaders(error instanceof TRPCError ? error.cause : error));
  });
  return api;
}
