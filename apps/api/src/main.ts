import { serverEnv } from "./config.ts";
import { createLogger, serializeError } from "./log.ts";
import { startServer } from "./server.ts";

// Databricks Apps gives 15 s after SIGTERM; finish well inside it.
const EXIT_DEADLINE_MS = 10_000;

const level = serverEnv.shape.LOG_LEVEL.safeParse(process.env.LOG_LEVEL || undefined);
const logger = createLogger({ level: level.success ? level.data : "info" });

try {
  const server = await startServer({ logger });
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
