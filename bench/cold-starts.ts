/**
 * "Ready" means ready (issue 25): the production build with two workers over the local Lakebase, started cold
 * again and again; each time `/api/ready` is polled every 50 ms until it first answers 200, then 200 requests
 * follow at once (tRPC `orders.byKey` and REST `/api/v1/orders/{key}`, real keys, each on a new connection so
 * the cluster hands them to its workers in turn). Any answer but 200 is a failure: the goal is 0.
 * Usage: pnpm --filter @lakebase-orders/bench cold-starts [--starts 8] [--requests 200] [--rows 3000]
 */
import http from "node:http";
import { startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { startLocalPostgres } from "@lakebase-orders/pg-local";
import pg from "pg";
import { buildApi, startApi } from "./src/servers.ts";

const args = process.argv.slice(2).filter((a) => a !== "--");
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const STARTS = flag("--starts", 8);
const REQUESTS = flag("--requests", 200);
const ROWS = flag("--rows", 3000);
const INSTANCE = "bench-cold";
const log = (line: string) => process.stdout.write(`${line}\n`);

const postgres = await startLocalPostgres({ fast: true });
const local = await startLakebaseLocal({
  postgres: { adminUrl: postgres.url("postgres") },
  sourceRows: ROWS,
  seed: {
    instanceName: INSTANCE,
    catalogName: "bench_cold",
    databaseName: "orders",
    syncedTable: "public.orders_synced",
  },
});
const env: Record<string, string> = {
  LOG_LEVEL: "warn",
  CLUSTER_WORKERS: "2",
  PGSSLROOTCERT: local.caFile,
  DATABRICKS_HOST: local.restUrl,
  DATABRICKS_TOKEN: local.workspaceToken,
  LAKEBASE_INSTANCE_NAME: INSTANCE,
  LAKEBASE_CATALOG_NAME: "bench_cold",
  LAKEBASE_DATABASE_NAME: "orders",
  PGPORT: String(local.pgPort),
};
await buildApi();
// Real keys (TPC-H keys are sparse), read straight from the instance's database.
const admin = new pg.Client({
  connectionString: local.adminUrl.replace(/\/[^/]*$/, `/${local.physicalDatabase(INSTANCE, "orders")}`),
});
await admin.connect();
const keys = (
  await admin.query<{ k: string }>(
    "SELECT o_orderkey::text AS k FROM public.orders_synced ORDER BY random() LIMIT 100",
  )
).rows.map((r) => Number(r.k));
await admin.end();

/** One request on its own connection: the cluster's primary hands each new connection to the next worker. */
function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    http
      .get(url, { agent: false }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      })
      .on("error", () => resolve(0));
  });
}

let failedStarts = 0;
let failed = 0;
for (let run = 1; run <= STARTS; run++) {
  const server = await startApi(env, { until: "listening" });
  const started = performance.now();
  while ((await get(`${server.url}/api/ready`)) !== 200) await new Promise((r) => setTimeout(r, 50));
  const readyMs = Math.round(performance.now() - started);
  const statuses = await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) => {
      const key = keys[i % keys.length]!;
      return i % 2 === 0
        ? get(
            `${server.url}/api/trpc/orders.byKey?input=${encodeURIComponent(JSON.stringify({ orderKey: key }))}`,
          )
        : get(`${server.url}/api/v1/orders/${key}`);
    }),
  );
  const bad = statuses.filter((s) => s !== 200);
  failed += bad.length;
  if (bad.length > 0) failedStarts++;
  log(
    `start ${run}: ready after ${readyMs} ms; ${bad.length} of ${REQUESTS} failed (${[...new Set(bad)].join(",") || "-"})`,
  );
  await server.stop();
}
log(
  `${failedStarts} of ${STARTS} cold starts had failures; ${failed} of ${STARTS * REQUESTS} requests failed`,
);
await local.stop();
await postgres.stop();
