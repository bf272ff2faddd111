// The API as production runs it (startServer over loadConfig(env): token provider, pools, readiness,
// Lakebase admin), in its own process so the load generator does not share its event loop. Prints one line
// `{"url": ...}` when listening; warnings and errors go to stderr, request logs are built and dropped.
// Usage: node reliability-server.ts   (the whole configuration comes from the environment)
import { startServer } from "@lakebase-orders/api";
import { loadConfig } from "@lakebase-orders/config";
import { createLogger } from "@lakebase-orders/log";

const server = await startServer(loadConfig({ ...process.env, PORT: "0" }), {
  host: "127.0.0.1",
  logger: createLogger({ level: "warn", write: (line) => process.stderr.write(`${line}\n`) }),
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once("SIGTERM", () => {
  server.close().then(() => process.exit(0));
});
