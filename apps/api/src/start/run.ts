import {
  type AppConfig,
  describeEnvFiles,
  type Env,
  type EnvFiles,
  loadConfig,
  readEnvFiles,
  withEnvFiles,
} from "@lakebase-orders/config";
import { createLogger, type Logger, serializeError } from "@lakebase-orders/log";
import { superviseWorkers } from "../cluster/primary.ts";
import { processRole } from "../cluster/roles.ts";
import { followPrimaryShutdown } from "../cluster/worker.ts";
import { disabledTelemetry, startTelemetry, type Telemetry } from "../telemetry/index.ts";
import { type RunningServer, startServer } from "./server.ts";

// Databricks Apps gives 15 s after SIGTERM; finish well inside it.
const EXIT_DEADLINE_MS = 10_000;

export interface RunOptions {
  /** A folder whose `.env` and `.env.local` fill in what `env` leaves unset (the production entry has none). */
  envDir?: string;
}

/**
 * The process, top to bottom. Every entry starts here: `pnpm dev` (src/main.ts), the deployed `server.mjs`
 * (packages/deploy/src/app-entry.ts) and the benches through it; only those two entries hand it the
 * process's environment. It builds each of configuration, logger and telemetry once and hands them down:
 * 1. the configuration from `env` (and the .env files of `envDir`);
 * 2. the role: a cluster primary only supervises its workers (one logger, no telemetry, no database);
 * 3. a worker or a single process: its logger, then telemetry (which reports its own problems through the
 *    logger; the trace fields of the log lines are bound once it runs), the server, a clean exit on
 *    SIGTERM/SIGINT.
 */
export async function run(env: Env, options: RunOptions = {}): Promise<void> {
  let files: EnvFiles | null = null;
  let config: AppConfig;
  try {
    files = options.envDir === undefined ? null : readEnvFiles(options.envDir);
    config = loadConfig(files ? withEnvFiles(env, files) : env);
  } catch (error) {
    // Without a configuration there is no configured logger: a default one says why.
    return failed(createLogger(), error, files);
  }

  const role = processRole(config.server.workers);
  if (role.kind === "primary") {
    superviseWorkers(
      role.workers,
      createLogger({ level: config.server.logLevel, base: { role: "primary" } }),
    );
    return;
  }
  if (role.kind === "worker") followPrimaryShutdown();

  let telemetry: Telemetry = disabledTelemetry;
  const logger = createLogger({
    level: config.server.logLevel,
    ...(role.kind === "worker" && { base: { worker: role.id } }),
    // Process-wide, like the logger: a line carries the trace context of the request it belongs to.
    ...(config.telemetry && { context: () => telemetry.logContext?.() }),
  });
  try {
    telemetry = await startTelemetry(config.telemetry, { logger });
    // Names only: the values may be secrets.
    if (files && files.files.length > 0) logger.info("configuration files read", describeEnvFiles(files));
    if (config.telemetry) {
      const { protocol, tracesUrl, metricsUrl, serviceName } = config.telemetry;
      logger.info("telemetry on", { protocol, tracesUrl, metricsUrl, serviceName });
    }
    stopOnSignals(await startServer(config, { logger, telemetry }), telemetry, logger);
  } catch (error) {
    failed(logger, error, files);
  }
}

/** SIGTERM/SIGINT: the server stops, then the last spans and metrics it produced are flushed, then exit. */
function stopOnSignals(server: RunningServer, telemetry: Telemetry, logger: Logger): void {
  const stop = (signal: string) => {
    logger.info("signal", { signal });
    setTimeout(() => {
      logger.error("shutdown exceeded the deadline; exiting");
      process.exit(1);
    }, EXIT_DEADLINE_MS).unref();
    server.close().then(
      () => telemetry.shutdown().then(() => process.exit(0)),
      (error) => {
        logger.error("shutdown failed", { error: serializeError(error) });
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

/** Names which files were read, so a bad value from one of them can be found (never the values). */
function failed(logger: Logger, error: unknown, files: EnvFiles | null): void {
  logger.error("start-up failed", {
    error: serializeError(error),
    ...(files && files.files.length > 0 ? { configurationFiles: describeEnvFiles(files).files } : {}),
  });
  process.exit(1);
}
