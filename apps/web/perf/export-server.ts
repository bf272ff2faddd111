// The API alone in its own process, for measurements of its memory (perf/export-bench.ts starts it): the
// environment comes as JSON in argv[2]; it prints {"url","pid"} once listening and stops on SIGTERM.
import { startServer } from "@lakebase-orders/api";
import { type Env, loadConfig } from "@lakebase-orders/config";
import { createLogger } from "@lakebase-orders/log";

const env = JSON.parse(process.argv[2] ?? "{}") as Env;
const server = await startServer(loadConfig(env), {
  port: 0,
  host: "127.0.0.1",
  logger: createLogger({ level: "warn" }),
});
// It listens first and migrates in the background: ready once the orders can be served.
await server.services.readiness.whenReady();
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));
