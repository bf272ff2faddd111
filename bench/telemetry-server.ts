// The API as production runs it (startServer, default pool, JSON request logs built and dropped), with the
// telemetry its environment configures (OTEL_*), as run.ts wires it: the SDK, the log lines' trace ids.
// Prints one line `{"url": ...}` when listening. Usage: node telemetry-server.ts <postgresql-url>
import { startServer, startTelemetry } from "@lakebase-orders/api";
import { loadConfig } from "@lakebase-orders/config";
import { createLogger } from "@lakebase-orders/log";

const url = process.argv[2];
if (!url) throw new Error("usage: node telemetry-server.ts <postgresql-url>");
const config = loadConfig({ ...process.env, LAKEBASE_PG_URL: url, PORT: "0" });
const telemetry = await startTelemetry(config.telemetry);
const server = await startServer(config, {
  host: "127.0.0.1",
  telemetry,
  logger: createLogger({
    write: () => undefined,
    ...(telemetry.logContext && { context: telemetry.logContext }),
  }),
});
// It listens first and migrates in the background: measured once it serves the orders.
await server.services.readiness.whenReady();
await server.services.orders.ready();
process.stdout.write(`${JSON.stringify({ url: server.url, telemetry: telemetry.enabled })}\n`);
process.once("SIGTERM", () => {
  server
    .close()
    .then(() => telemetry.shutdown())
    .then(() => process.exit(0));
});
