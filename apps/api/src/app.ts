import { serializeError } from "@lakebase-orders/log";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { Hono } from "hono";
import { ZodError } from "zod";
import { createContext } from "./context.ts";
import { isDomainError } from "./errors/domain-error.ts";
import { healthRoutes } from "./http/health.ts";
import { type RequestVars, requestLog } from "./http/request-log.ts";
import { directQueries } from "./http/trpc-get.ts";
import { restApi } from "./rest/index.ts";
import { appRouter } from "./router.ts";
import type { AppServices } from "./services.ts";
import { serveSpa } from "./static-files.ts";

export interface AppOptions {
  /** Deadline of the readiness query (default 2000 ms). */
  readyTimeoutMs?: number;
}

/** The HTTP surface: it only wires requests to the services (built once by `createServices`). */
export function createApp(services: AppServices, options: AppOptions = {}) {
  const { logger } = services;
  const app = new Hono<{ Variables: RequestVars }>();
  app.use("*", requestLog(logger));
  app.route("/api", healthRoutes(services, options));
  app.route("/", restApi(services));

  // Single read-only GET queries skip tRPC's fetch adapter (same bytes on the wire); the rest falls through.
  app.get("/api/trpc/*", directQueries(services));
  app.all("/api/trpc/*", (c) =>
    fetchRequestHandler({
      endpoint: "/api/trpc",
      req: c.req.raw,
      router: appRouter,
      createContext: () => createContext(services, c.req.raw.headers, c.get("requestId")),
      onError: ({ error, path }) => {
        c.get("procedureErrors").push({ procedure: path, code: error.code });
        if (error.code === "INTERNAL_SERVER_ERROR") {
          logger.error("procedure failed", {
            requestId: c.get("requestId"),
            procedure: path,
            error: serializeError(error.cause ?? error),
          });
        } else {
          // Failures with an underlying cause (database unreachable, table missing) keep it for the
          // operator; a plain "not found" or bad input needs no second line.
          const cause = isDomainError(error.cause) ? error.cause.cause : error.cause;
          if (cause && !(cause instanceof ZodError)) {
            logger.warn("procedure rejected", {
              requestId: c.get("requestId"),
              procedure: path,
              code: error.code,
              error: serializeError(cause),
            });
          }
        }
      },
    }),
  );

  app.all("/api/*", (c) => c.json({ error: "not found" }, 404));
  if (services.config.server.staticDir) app.get("*", serveSpa(services.config.server.staticDir));

  app.onError((error, c) => {
    logger.error("unhandled error", { requestId: c.get("requestId"), error: serializeError(error) });
    return c.json({ error: "internal error", requestId: c.get("requestId") }, 500);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
