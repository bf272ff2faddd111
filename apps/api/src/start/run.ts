import { describeEnvFiles, type Env, loadConfig, readEnvFiles, withEnvFiles } from "@lakebase-orders/config";
import { createLogger, type Logger, serializeError } from "@lakebase-orders/log";
import { superviseWorkers } from "../cluster/primary.ts";
import { processRole } from "../cluster/roles.ts";
import { followPrimaryShutdown } from "../cluster/worker.ts";
import { disabledTelemetry, startTelemetry, type Telemetry } from "../telemetry/index.ts";
import { type RunningServer, startServer } from "./server.ts";

// Databricks Apps gives 15 s after SIGTERM (a cluster's primary kills its workers at 13 s): requests 7 s,
// services 3 s, telemetry 2 s (server.ts), and this is the hard stop behind them.
const EXIT_DEADLINE_MS = 12_500;

export interface RunOptions {
  /** A folder whose `.env` and `.env.local` fill in what `env` leaves unset (the production entry has none). */
  envDir?: string;
}

/**
 * The process, top to bottom. Every entry starts here: `pnpm dev` (src/main.ts), the deployed `server.mjs`
 * (packages/deploy/src/app-entry.ts) and the benches through it; only those two entries hand it the
 * process's environment. It builds each of configuration, logger and telemetry once and hands them down:
 * 1. the configuration from `env` (and the .env files of `envDir`);
 * 2. the role, and the process's one logger;
 * 3. a cluster primary only supervises its workers (no telemetry, no database); a worker or a single process
 *    starts telemetry (which reports its own problems through the logger, whose lines carry its trace
 *    fields once it runs), then the server, and exits cleanly on SIGTERM/SIGINT.
 */
export async function run(env: Env, options: RunOptions = {}): Promise<void> {
  // Names only (of the files read and the variables they set): the values may be secrets.
  let read: ReturnType<typeof describeEnvFiles> | null = null;
  let logger: Logger | undefined;
  try {
    const files = options.envDir === undefined ? null : readEnvFiles(options.envDir);
    read = files && files.files.length > 0 ? describeEnvFiles(files) : null;
    const config = loadConfig(files ? withEnvFiles(env, files) : env);

    const role = processRole(config.server.workers);
    let telemetry: Telemetry = disabledTelemetry;
    logger = createLogger({
      level: config.server.logLevel,
      base: role.kind === "primary" ? { role: "primary" } : role.kind === "worker" ? { worker: role.id } : {},
      // Process-wide, like the logger: a line carries the trace context of the request it belongs to.
      ...(role.kind !== "primary" && config.telemetry && { context: () => telemetry.logContext?.() }),
    });
    if (role.kind === "primary") {
      superviseWorkers(role.workers, logger);
      return;
    }
    if (role.kind === "worker") followPrimaryShutdown();

    telemetry = await startTelemetry(config.telemetry, { logger });
    if (read) logger.info("configuration files read", read);
    if (config.telemetry) {
      const { protocol, tracesUrl, metricsUrl, serviceName } = config.telemetry;
      logger.info("telemetry on", { protocol, tracesUrl, metricsUrl, serviceName });
    }
    stopOnSignals(await startServer(config, { logger, telemetry }), telemetry, logger);
  } catch (error) {
    // Names which files were read, so a bad value from one of them can be found (never the values). Without
    // a configuration there is no configured logger: a default one says why.
    (logger ?? createLogger()).error("start-up failed", {
      error: serializeError(error),
      ...(read && { configurationFiles: read.files }),
    });
    process.exit(1);
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
