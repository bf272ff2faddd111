import { serializeError } from "@lakebase-orders/log";
import { Hono } from "hono";
import { exportRoutes } from "../export/export-routes.ts";
import { callerKey, setIdentity } from "../identity/identify.ts";
import { restApi } from "../rest/index.ts";
import type { AppServices } from "../start/services.ts";
import type { ApiVars } from "./api-vars.ts";
import { completeJsonAnswers } from "./complete-answers.ts";
import { allowedHostCheck } from "./guards/allowed-host.ts";
import { limitBody } from "./guards/body-limit.ts";
import { checks, checksAround } from "./guards/checks.ts";
import { inlineHashes } from "./guards/inline-hashes.ts";
import { jsonBodiesCheck } from "./guards/json-bodies.ts";
import { createLimits } from "./guards/limits.ts";
import { isReadOnlyMethod } from "./guards/methods.ts";
import { capOpenStreams } from "./guards/open-streams.ts";
import { rateLimitCheck } from "./guards/rate-limit.ts";
import { sameOriginCheck } from "./guards/same-origin.ts";
import { securityHeaders } from "./guards/security-headers.ts";
import { wellFormedUrlCheck } from "./guards/well-formed-url.ts";
import { healthRoutes } from "./health.ts";
import { rawPathOf, requestLog } from "./request-log.ts";
import { CachingRouter } from "./route-cache.ts";
import { serveSpa } from "./static-files.ts";
import { trpcHandler } from "./trpc/handler.ts";
import { trpcProcedureNames } from "./trpc/procedure-names.ts";
import { SUBSCRIPTION_PATHS } from "./trpc/subscription-paths.ts";
import { trpcCalls } from "./trpc/trpc-calls.ts";

export interface AppOptions {
  /** Deadline of the readiness query (default 2000 ms). */
  readyTimeoutMs?: number;
  /** The clock of the rate limits (tests). */
  now?: () => number;
}

/**
 * Server-sent event streams (the admin's progress) open at once in this process: a few tabs per identity,
 * and a bound on them all.
 */
const STREAMS = { perIdentity: 4, total: 64 };

/** The HTTP surface: it only wires requests to the services (built once by `createServices`). */
export function createApp(services: AppServices, options: AppOptions = {}) {
  const { logger, config } = services;
  const limits = createLimits(config, options.now ? { now: options.now } : {});
  const app = new Hono<{ Variables: ApiVars }>({ router: new CachingRouter() });
  // First, so the request log line and everything below run inside the request's span.
  if (services.telemetry.http) app.use("*", services.telemetry.http);
  app.use("*", requestLog(logger));
  app.use("*", securityHeaders(inlineHashes(config.server.staticDir)));
  // A path that decodes, then (before any route) a request for another host (DNS rebinding, a tunnel's
  // name) gets nothing at all. Checks, not middlewares: each level of Hono's chain costs every request.
  app.use(
    "*",
    checks(
      wellFormedUrlCheck(),
      allowedHostCheck({
        inDatabricksApp: config.identity.inDatabricksApp,
        allowedHosts: config.server.allowedHosts,
      }),
    ),
  );
  // The API's guards, in order of cost: where the request comes from, who sends it, what it carries; one
  // level, so every route under /api (tRPC and REST) gets the same ones. The write limit comes after the
  // body limit, as before: an oversized body is refused with 413 without spending a token.
  const identity = setIdentity<{ Variables: ApiVars }>({
    ...config.identity,
    allowedHosts: config.server.allowedHosts,
  });
  app.use(
    "/api/*",
    checksAround<{ Variables: ApiVars }>(
      [
        sameOriginCheck({
          allowedOrigins: config.server.allowedOrigins,
          trustForwardedHost: config.identity.trustForwardedHeaders,
        }),
        identity,
        (c) => {
          c.set("budget", limits.budgetFor(callerKey(c)));
          return undefined;
        },
        jsonBodiesCheck(),
      ],
      limitBody(config.limits.maxBodyBytes),
      [
        rateLimitCheck({
          limiter: limits.writes,
          key: callerKey,
          when: (c) => !isReadOnlyMethod(c.req.method),
          cost: (c) => (c.req.path.startsWith("/api/trpc/") ? trpcCalls(c) : 1),
          what: "changes",
        }),
      ],
    ),
  );
  app.use(
    "/api/trpc/*",
    capOpenStreams({
      perIdentity: STREAMS.perIdentity,
      total: STREAMS.total,
      key: callerKey,
      when: (c) =>
        c.req.method === "GET" &&
        (trpcProcedureNames(rawPathOf(c.req.url))?.some((p) => SUBSCRIPTION_PATHS.has(p)) ?? false),
    }),
  );
  // The REST routes' JSON answers carry all their headers at once, as the single tRPC queries' do.
  app.use("/api/v1/*", completeJsonAnswers());
  app.route("/api", healthRoutes(services, options));
  app.route("/", restApi(services));
  app.route("/api", exportRoutes(services));

  app.all("/api/trpc/*", trpcHandler(services, { maxBatchSize: config.limits.maxBatchSize }));

  app.all("/api/*", (c) => c.json({ error: "not found" }, 404));
  if (config.server.staticDir) app.get("*", serveSpa(config.server.staticDir));

  app.onError((error, c) => {
    logger.error("unhandled error", { requestId: c.get("requestId"), error: serializeError(error) });
    return c.json({ error: "internal error", requestId: c.get("requestId") }, 500);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
