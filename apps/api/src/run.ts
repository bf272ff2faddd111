import { type Env, loadConfig } from "@lakebase-orders/config";
import { createLogger, serializeError } from "@lakebase-orders/log";
import { followPrimaryShutdown, startClusterPrimary, workerLogFields } from "./cluster/primary.ts";
import { startServer } from "./server.ts";

// Databricks Apps gives 15 s after SIGTERM; finish well inside it.
const EXIT_DEADLINE_MS = 10_000;

/** The process: configuration from `env` (read once, here), the server, and a clean exit on SIGTERM/SIGINT. */
export async function run(env: Env): Promise<void> {
  // Several workers (CLUSTER_WORKERS, default one per vCPU): this process only supervises them.
  if (startClusterPrimary(env)) return;
  followPrimaryShutdown();
  let logger = createLogger();
  try {
    const config = loadConfig(env);
    logger = createLogger({ level: config.server.logLevel, ...workerLogFields() });
    const server = await startServer(config, { logger });
    const stop = (signal: string) => {
      logger.info("signal", { signal });
      setTimeout(() => {
        logger.error("shutdown exceeded the deadline; exiting");
        process.exit(1);
      }, EXIT_DEADLINE_MS).unref();
      server.close().then(
        () => process.exit(0),
        (error) => {
          logger.error("shutdown failed", { error: serializeError(error) });
          process.exit(1);
        },
      );
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  } catch (error) {
    logger.error("start-up failed", { error: serializeError(error) });
    process.exit(1);
  }
}
