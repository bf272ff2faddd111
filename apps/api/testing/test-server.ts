import type { AppConfig } from "@lakebase-orders/config";
import { until } from "@lakebase-orders/lakebase-local/testing";
import { createLogger, type LogLevel } from "@lakebase-orders/log";
import { type RunningServer, type StartServerOptions, startServer } from "../src/start/server.ts";

export interface TestServerOptions extends StartServerOptions {
  /** The lowest level kept in `logs` (default info). */
  logLevel?: LogLevel;
  /** Resolve once the server listens (default), or once /api/ready answers 200 (database reached, migrated). */
  until?: "listening" | "ready";
}

export interface TestServer extends RunningServer {
  /** Every log line so far, as written (JSON). */
  readonly logs: string[];
}

/**
 * The server as `run` starts it (startServer over a configuration: services, pools, readiness, the admin) on
 * a free loopback port, its log lines kept, retrying the database every 50 ms rather than 250: the set-up the
 * API's server suites share. Options override any of these.
 *
 * @example
 * const server = await startTestServer(configFor(w), { until: "ready" });
 * expect(server.logs.some((l) => l.includes('"msg":"database ready"'))).toBe(true);
 */
export async function startTestServer(
  config: AppConfig,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const logs: string[] = [];
  const { logLevel, until: waitFor, ...serverOptions } = options;
  const server = await startServer(config, {
    port: 0,
    host: "127.0.0.1",
    readinessBaseDelayMs: 50,
    logger: createLogger({ ...(logLevel && { level: logLevel }), write: (line) => logs.push(line) }),
    ...serverOptions,
  });
  if (waitFor === "ready") {
    await until(
      () => fetch(`${server.url}/api/ready`),
      (r) => r.status === 200,
    );
  }
  return { ...server, logs };
}
