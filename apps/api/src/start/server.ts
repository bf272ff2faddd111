import http from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { AppConfig } from "@lakebase-orders/config";
import { type AppOptions, createApp } from "../http/app.ts";
import { guardBodies } from "../http/node-bodies.ts";
import { type AppServices, createServices, type ServiceOptions } from "./services.ts";

/** In-flight requests get this long after SIGTERM before their connections are cut. */
const SHUTDOWN_GRACE_MS = 7000;
/**
 * The services close within what the requests left of this (at least 3 s): an operation's Databricks step in
 * flight gets the time to reach its next step and hand its lease on (lakebase/operations), not only 3 s.
 */
const REQUESTS_AND_SERVICES_MS = 10_000;
const SERVICES_MIN_MS = 3000;

export interface StartServerOptions extends ServiceOptions, AppOptions {
  /** Overrides the configured port (0 = any free port). */
  port?: number;
  /** Overrides the configured host. */
  host?: string;
  /** How long close() lets in-flight requests finish before cutting connections (default 7000 ms). */
  shutdownGraceMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  services: AppServices;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), then closes the services. */
  close(): Promise<void>;
}

/**
 * Builds the services from the configuration and listens; the database is reached and migrated in the
 * background (`/api/ready` says when), so a stopped or missing database never keeps the server, and with it
 * the admin console that can start or create the database, from coming up. Only a bad configuration or a
 * port in use fail here.
 */
export async function startServer(
  config: AppConfig,
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const services = await createServices(config, options);
  const { logger } = services;
  const app = createApp(services, options);

  const host = options.host ?? config.server.host;
  let server: ReturnType<typeof serve>;
  try {
    server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: options.port ?? config.server.port, hostname: host }, () =>
        resolve(s),
      );
      // 413 at once, with or without Expect: 100-continue, and heard by a client still uploading.
      if (s instanceof http.Server) guardBodies(s, { maxBodyBytes: config.limits.maxBodyBytes });
      s.once("error", reject);
    });
  } catch (error) {
    await services.close().catch(() => undefined);
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  logger.info("listening", { url, host, port, syncedTable: config.lakebase.syncedTable.fullName });
  services.start();

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const began = Date.now();
      const grace = options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;
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
      // Requests and services in 10 s at most (7 s grace, then at least 3 s), + telemetry's flush (2 s): inside
      // the 12.5 s the process allows itself after SIGTERM, and the 15 s Databricks Apps gives.
      const total = Math.max(REQUESTS_AND_SERVICES_MS, grace + SERVICES_MIN_MS);
      await services.close(Math.max(SERVICES_MIN_MS, total - (Date.now() - began)));
      logger.info("stopped");
    })();
    return closing;
  };
  return { url, port, services, close };
}
