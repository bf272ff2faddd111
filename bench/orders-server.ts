// The API as production runs it (startServer, default pool, JSON request logs), in its own process so the
// load generator does not share its event loop. Prints one line `{"url": ...}` when listening.
// Usage: node orders-server.ts <postgresql-url>
import { startServer } from "@lakebase-orders/api";
import { loadConfig } from "@lakebase-orders/config";
import { createLogger } from "@lakebase-orders/log";

const url = process.argv[2];
if (!url) throw new Error("usage: node orders-server.ts <postgresql-url>");
// Log lines are built and serialised as usual, then dropped: the bench's stdout is for its results.
const server = await startServer(loadConfig({ ...process.env, LAKEBASE_PG_URL: url, PORT: "0" }), {
  host: "127.0.0.1",
  logger: createLogger({ write: () => undefined }),
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once("SIGTERM", () => {
  server.close().then(() => process.exit(0));
});
