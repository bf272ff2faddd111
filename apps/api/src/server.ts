import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createDbFromEnv, type Db, runMigrations } from "@lakebase-orders/db";
import { type AppDeps, createApp } from "./app.ts";
import { listenPort, localIdentity, parseServerEnv, syncedTableName } from "./config.ts";
import { createLakebaseService } from "./lakebase/index.ts";
import { createLogger, type Logger, serializeError } from "./log.ts";

export interface StartServerOptions {
  /** Default: process.env. */
  env?: Record<string, string | undefined>;
  /** Overrides DATABRICKS_APP_PORT / PORT (0 = any free port). */
  port?: number;
  host?: string;
  logger?: Logger;
  /** Overrides STATIC_DIR. */
  staticDir?: string;
  /** Extra app dependencies (e.g. a dataAvailability from the Lakebase admin). */
  app?: Partial<Omit<AppDeps, "db" | "logger">>;
  /** How long close() lets in-flight requests finish before cutting connections. */
  shutdownGraceMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  db: Db;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), closes the pools. */
  close(): Promise<void>;
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const env = parseServerEnv(options.env ?? process.env);
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL });
  // LAKEBASE_PG_URL alone gives a static-password pool; the Databricks variables give token injection.
  const db = await createDbFromEnv(options.env ?? process.env, {
    logger: eventLogger(logger),
    pool: { max: env.DB_POOL_MAX },
  });
  let lakebase: AppDeps["lakebase"];
  try {
    await applyMigrations(db, logger);
    // Lakebase admin: its variables are validated here, so a bad one fails start-up with its name.
    lakebase =
      options.app?.lakebase ??
      createLakebaseService({
        env: options.env ?? process.env,
        prisma: db.prisma,
        logger,
        onProvisioned: () => applyMigrations(db, logger),
      });
  } catch (error) {
    await db.disconnect().catch(() => undefined);
    throw error;
  }

  const app = createApp({
    db,
    logger,
    localIdentity: localIdentity(env),
    syncedTable: syncedTableName(env),
    countCacheTtlSeconds: env.COUNT_CACHE_TTL_SECONDS,
    staticDir: options.staticDir ?? env.STATIC_DIR,
    lakebase,
    ...options.app,
  });

  const host = options.host ?? env.HOST;
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? listenPort(env), hostname: host }, () =>
      resolve(s),
    );
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  logger.info("listening", { url, host, port, syncedTable: syncedTableName(env) });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const grace = options.shutdownGraceMs ?? 8000;
      logger.info("shutting down", { graceMs: grace });
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets with no request in flight would hold close() open until they time out.
      if ("closeIdleConnections" in server) server.closeIdleConnections();
      const timer = setTimeout(() => {
        logger.warn("grace period over: closing remaining connections");
        if ("closeAllConnections" in server) server.closeAllConnections();
      }, grace);
      timer.unref();
      await closed;
      clearTimeout(timer);
      await lakebase?.close();
      // Grace (8 s) + pool close (1.5 s) stays inside the 10 s the process allows itself after SIGTERM.
      await db
        .disconnect(1500)
        .catch((error) => logger.warn("pool close failed", { error: serializeError(error) }));
      logger.info("stopped");
    })();
    return closing;
  };
  return { url, port, db, close };
}

/** Applies the app's SQL migrations before listening (advisory-locked: replicas may start together). */
async function applyMigrations(db: Db, logger: Logger): Promise<void> {
  const client = await db.pool.connect();
  try {
    const result = await runMigrations({ client, log: (event) => logger.info("migration", event) });
    logger.info("migrations applied", {
      applied: result.applied,
      alreadyApplied: result.alreadyApplied.length,
    });
  } finally {
    client.release();
  }
}

/** Adapts our logger to the `{event, ...}` objects the db and auth packages log. */
function eventLogger(logger: Logger) {
  const fields = (event: object) => event as Record<string, unknown>;
  const msg = (event: object) => String((event as { event?: unknown }).event ?? "db");
  return {
    info: (event: object) => logger.info(msg(event), fields(event)),
    warn: (event: object) => logger.warn(msg(event), fields(event)),
    error: (event: object) => logger.error(msg(event), fields(event)),
  };
}
