import {
  describeEnvFiles,
  type Env,
  type EnvFiles,
  loadConfig,
  readEnvFiles,
  withEnvFiles,
} from "@lakebase-orders/config";
import { createLogger, serializeError } from "@lakebase-orders/log";
import { followPrimaryShutdown, startClusterPrimary, workerLogFields } from "../cluster/primary.ts";
import { startTelemetry } from "../telemetry/index.ts";
import { startServer } from "./server.ts";

// Databricks Apps gives 15 s after SIGTERM; finish well inside it.
const EXIT_DEADLINE_MS = 10_000;

export interface RunOptions {
  /** A folder whose `.env` and `.env.local` fill in what `env` leaves unset (the production entry has none). */
  envDir?: string;
}

/** The process: configuration from `env` (read once, here), the server, and a clean exit on SIGTERM/SIGINT. */
export async function run(env: Env, options: RunOptions = {}): Promise<void> {
  let logger = createLogger();
  let files: EnvFiles | null = null;
  try {
    files = options.envDir === undefined ? null : readEnvFiles(options.envDir);
    const merged = files ? withEnvFiles(env, files) : env;
    // Several workers (CLUSTER_WORKERS, default one per vCPU): this process only supervises them, and each
    // worker runs this function again.
    if (startClusterPrimary(merged)) return;
    followPrimaryShutdown();
    const config = loadConfig(merged);
    logger = createLogger({ level: config.server.logLevel, ...workerLogFields() });
    // Process-wide, like the logger: the log lines carry the trace context of the request they belong to.
    const telemetry = await startTelemetry(config.telemetry, { logger });
    if (telemetry.logContext) {
      logger = createLogger({
        level: config.server.logLevel,
        context: telemetry.logContext,
        ...workerLogFields(),
      });
    }
    // Names only: the values may be secrets.
    if (files && files.files.length > 0) logger.info("configuration files read", describeEnvFiles(files));
    if (config.telemetry) {
      const { protocol, tracesUrl, metricsUrl, serviceName } = config.telemetry;
      logger.info("telemetry on", { protocol, tracesUrl, metricsUrl, serviceName });
    }
    const server = await startServer(config, { logger, telemetry });
    const stop = (signal: string) => {
      logger.info("signal", { signal });
      setTimeout(() => {
        logger.error("shutdown exceeded the deadline; exiting");
        process.exit(1);
      }, EXIT_DEADLINE_MS).unref();
      // The last spans and metrics are flushed after the server stopped producing them.
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
  } catch (error) {
    // Names which files were read, so a bad value from one of them can be found (never the values).
    logger.error("start-up failed", {
      error: serializeError(error),
      ...(files && files.files.length > 0 ? { configurationFiles: describeEnvFiles(files).files } : {}),
    });
    process.exit(1);
  }
}
