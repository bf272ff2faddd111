import type { Db } from "@lakebase-orders/db";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { Hono } from "hono";
import { ZodError } from "zod";
import { type AppServices, createContext, type DataAvailability, requestIdFrom } from "./context.ts";
import type { LakebaseService } from "./lakebase/service.ts";
import { createLogger, type Logger, scrubSecrets, serializeError } from "./log.ts";
import { tableAvailability } from "./orders/availability.ts";
import { createOrdersStore } from "./orders/orders-store.ts";
import type { OrdersStore } from "./orders/store.ts";
import { parseSyncedTable, type SyncedTable } from "./orders/synced-table.ts";
import { appRouter } from "./router.ts";
import { serveSpa } from "./static-files.ts";

export interface AppDeps {
  db: Db;
  logger?: Logger;
  /** Acting identity when no Databricks Apps proxy headers are present. */
  localIdentity?: string | null;
  /** 3-part `catalog.schema.table` of the synced orders table (default `orders_catalog.public.orders_synced`). */
  syncedTable?: string | SyncedTable;
  /** Replaces the default "does the table exist" check (the Lakebase admin adds sync progress). */
  dataAvailability?: () => Promise<DataAvailability>;
  /** The Lakebase admin: mounts `lakebase.*` and, unless dataAvailability is given, reports sync progress. */
  lakebase?: LakebaseService;
  /** Seconds a count/stats result is reused (default 10). */
  countCacheTtlSeconds?: number;
  /** Deadline of the readiness query. */
  readyTimeoutMs?: number;
  /** A built SPA to serve beside the API (apps/web/dist). */
  staticDir?: string;
}

interface RequestVars {
  requestId: string;
  procedureErrors: { procedure: string | undefined; code: string }[];
}

export function createApp(deps: AppDeps) {
  const logger = deps.logger ?? createLogger();
  const table =
    typeof deps.syncedTable === "object" ? deps.syncedTable : parseSyncedTable(deps.syncedTable ?? undefined);
  const orders: OrdersStore = createOrdersStore({
    prisma: deps.db.prisma,
    table,
    countCacheTtlSeconds: deps.countCacheTtlSeconds ?? 10,
  });
  const tableCheck = tableAvailability(deps.db.prisma, table);
  const services: AppServices = {
    db: deps.db,
    logger,
    orders,
    dataAvailability: deps.dataAvailability ?? deps.lakebase?.availability(tableCheck) ?? tableCheck,
    lakebase: deps.lakebase,
    localIdentity: deps.localIdentity === undefined ? "local-admin@example.com" : deps.localIdentity,
  };

  const app = new Hono<{ Variables: RequestVars }>();

  // One JSON line per request: id, procedures, status, duration, outcome. Never headers (tokens live there).
  app.use("*", async (c, next) => {
    const started = performance.now();
    const requestId = requestIdFrom(c.req.raw.headers);
    c.set("requestId", requestId);
    c.set("procedureErrors", []);
    await next();
    c.header("X-Request-Id", requestId);
    const url = new URL(c.req.url);
    const errors = c.get("procedureErrors");
    const status = c.res.status;
    const outcome =
      status >= 500 || errors.some((e) => e.code === "INTERNAL_SERVER_ERROR")
        ? "error"
        : status >= 400 || errors.length > 0
          ? "rejected"
          : "ok";
    logger.info("request", {
      requestId,
      method: c.req.method,
      path: url.pathname,
      procedures: procedureNames(url.pathname),
      status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      outcome,
      ...(errors.length > 0 ? { errors } : {}),
    });
  });

  app.get("/api/health", (c) => c.json({ status: "ok" }));

  app.get("/api/ready", async (c) => {
    try {
      await deps.db.ping(deps.readyTimeoutMs ?? 2000);
      return c.json({ status: "ready" });
    } catch (error) {
      const reason = scrubSecrets(error instanceof Error ? error.message : String(error));
      return c.json({ status: "unavailable", reason: `database: ${reason}` }, 503);
    }
  });

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
        } else if (error.cause && !(error.cause instanceof ZodError)) {
          // Mapped failures (database unreachable, table missing) keep their cause for the operator.
          logger.warn("procedure rejected", {
            requestId: c.get("requestId"),
            procedure: path,
            code: error.code,
            error: serializeError(error.cause),
          });
        }
      },
    }),
  );

  app.all("/api/*", (c) => c.json({ error: "not found" }, 404));

  if (deps.staticDir) app.get("*", serveSpa(deps.staticDir));

  app.onError((error, c) => {
    logger.error("unhandled error", { requestId: c.get("requestId"), error: serializeError(error) });
    return c.json({ error: "internal error", requestId: c.get("requestId") }, 500);
  });

  return app;
}

export type App = ReturnType<typeof createApp>;

function procedureNames(pathname: string): string[] | undefined {
  const prefix = "/api/trpc/";
  if (!pathname.startsWith(prefix)) return undefined;
  return decodeURIComponent(pathname.slice(prefix.length)).split(",").filter(Boolean);
}
