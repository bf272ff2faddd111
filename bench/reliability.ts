/**
 * Reliability figures of the orders API over the local Lakebase, configured as a real workspace would be
 * (DATABRICKS_HOST + token + LAKEBASE_INSTANCE_NAME, tokens from the credential API, the front door):
 * 1. failed key lookups under 32 concurrent callers while every app connection is terminated at once, round
 *    after round (what a Lakebase restart or failover does);
 * 2. key-lookup latency while the workspace API throttles (429 on the credential and instance APIs for longer
 *    than the SDK's patience, tokens due for refresh inside the window) against a quiet run;
 * 3. ready time after the database comes back: the app boots with the instance STOPPED, an admin starts it
 *    through the app, and /api/ready turns 200 (measured from the instance turning AVAILABLE).
 * The API runs in a child process as production runs it (the deploy build's server.mjs, src/servers.ts); the
 * local Lakebase in this one.
 * Usage: pnpm --filter @lakebase-orders/bench reliability [--rows 20000] [--loss-seconds 20]
 *        [--quiet-seconds 15] [--throttle-seconds 40] [--ready-runs 3] [--only loss|throttle|ready]
 */
import { LOCAL_ADMIN } from "@lakebase-orders/config";
import { startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { startLocalPostgres } from "@lakebase-orders/pg-local";
import pg from "pg";
import { buildApi, type Server, startApi as startServer } from "./src/servers.ts";

const args = process.argv.slice(2).filter((a) => a !== "--");
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const only = (() => {
  const i = args.indexOf("--only");
  return i >= 0 ? args[i + 1] : undefined;
})();
const ROWS = flag("--rows", 20_000);
const LOSS_SECONDS = flag("--loss-seconds", 20);
const QUIET_SECONDS = flag("--quiet-seconds", 15);
// Longer than the SDK's patience (DATABRICKS_TIMEOUT_SECONDS, 30 s by default).
const THROTTLE_SECONDS = flag("--throttle-seconds", 40);
const READY_RUNS = flag("--ready-runs", 3);
const CONNECTIONS = 32;
// Tokens of 150 s (Lakebase's last an hour): refreshed from 75 s on, valid until 120 s. The throttled window
// is placed over the refresh (and the pool's recycling of connections, at 75 s too) and ends before 120 s.
const TOKEN_TTL_SECONDS = 150;
const REFRESH_DUE_MS = (TOKEN_TTL_SECONDS / 2) * 1000;
const INSTANCE = "bench-reliability";
const log = (line: string) => process.stdout.write(`${line}\n`);

const postgres = await startLocalPostgres({ fast: true });
const local = await startLakebaseLocal({
  postgres: { adminUrl: postgres.url("postgres") },
  tokenTtlSeconds: TOKEN_TTL_SECONDS,
  sourceRows: ROWS,
  seed: {
    instanceName: INSTANCE,
    catalogName: "bench_rel",
    databaseName: "orders",
    syncedTable: "public.orders_synced",
  },
});
const env: Record<string, string> = {
  // Warnings and errors on stderr; request logs are built and dropped.
  LOG_LEVEL: "warn",
  // One process, as the figures were taken; TLS to the front door verified against the local CA.
  CLUSTER_WORKERS: "1",
  PGSSLROOTCERT: local.caFile,
  DATABRICKS_HOST: local.restUrl,
  DATABRICKS_TOKEN: local.workspaceToken,
  LAKEBASE_INSTANCE_NAME: INSTANCE,
  LAKEBASE_CATALOG_NAME: "bench_rel",
  LAKEBASE_DATABASE_NAME: "orders",
  PGPORT: String(local.pgPort),
};
const physical = local.physicalDatabase(INSTANCE, "orders");
const admin = new pg.Pool({ connectionString: local.adminUrl, max: 2 });
let server: Server | undefined;
let apiStartedAt = 0;

// Built before anything is timed: the token clock below starts when the API process does.
await buildApi();

/** The API listening (it may not be ready: the instance can be stopped). */
async function startApi(): Promise<string> {
  apiStartedAt = Date.now();
  server = await startServer(env, { until: "listening", logs: "stderr" });
  return server.url;
}

async function stopApi(): Promise<void> {
  await server?.stop();
  server = undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => Promise<boolean>, timeoutMs = 120_000, everyMs = 20): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return Date.now();
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(everyMs);
  }
}
const ready = (url: string) =>
  fetch(`${url}/api/ready`).then(
    (r) => r.status === 200,
    () => false,
  );
const instanceState = async () => {
  const r = await fetch(`${local.restUrl}/api/2.0/database/instances/${INSTANCE}`, {
    headers: { Authorization: `Bearer ${local.workspaceToken}` },
  });
  return ((await r.json()) as { state?: string }).state;
};
const setStopped = (stopped: boolean) =>
  fetch(`${local.restUrl}/api/2.0/database/instances/${INSTANCE}?update_mask=stopped`, {
    method: "PATCH",
    headers: { Authorization: `Bearer ${local.workspaceToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ stopped }),
  });

async function orderKeys(url: string): Promise<number[]> {
  const input = encodeURIComponent(JSON.stringify({ pageSize: 500 }));
  const body = (await (await fetch(`${url}/api/trpc/orders.stream?input=${input}`)).json()) as {
    result: { data: { orders: { orderKey: number }[] } };
  };
  return body.result.data.orders.map((o) => o.orderKey);
}

/** 32 callers doing key lookups for `seconds`: latencies of the successful ones, and the failures. */
async function lookups(url: string, keys: number[], seconds: number) {
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  const stopAt = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, worker) => {
      for (let i = 0; Date.now() < stopAt; i++) {
        const key = keys[(worker * 37 + i) % keys.length];
        const started = performance.now();
        try {
          const input = encodeURIComponent(JSON.stringify({ orderKey: key }));
          const response = await fetch(`${url}/api/trpc/orders.byKey?input=${input}`);
          const text = await response.text();
          if (response.status !== 200) throw new Error(`${response.status} ${text.slice(0, 120)}`);
          latencies.push(performance.now() - started);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          failures.set(reason, (failures.get(reason) ?? 0) + 1);
        }
      }
    }),
  );
  const failed = [...failures.values()].reduce((a, b) => a + b, 0);
  return { latencies, failed, failures, total: latencies.length + failed };
}

function percentiles(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { p50: r(at(0.5)), p95: r(at(0.95)), p99: r(at(0.99)), max: r(at(1)) };
}

try {
  let url = await startApi();
  await until(() => ready(url));
  const keys = await orderKeys(url);
  log(
    `orders API over the local Lakebase: ${ROWS} orders, ${CONNECTIONS} concurrent callers, key lookups (orders.byKey)`,
  );

  if (!only || only === "loss") {
    let rounds = 0;
    let terminated = 0;
    const stopAt = Date.now() + LOSS_SECONDS * 1000;
    const killer = (async () => {
      await sleep(1000);
      while (Date.now() < stopAt - 1000) {
        const { rows } = await admin.query<{ n: number }>(
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
            WHERE datname = $1 AND usename = $2 AND pid <> pg_backend_pid()`,
          [physical, LOCAL_ADMIN],
        );
        rounds++;
        terminated += rows[0]?.n ?? 0;
        await sleep(2000);
      }
    })();
    const result = await lookups(url, keys, LOSS_SECONDS);
    await killer;
    log(
      `1. connection loss: ${rounds} rounds of terminating every app connection (${terminated} connections in all) ` +
        `during ${LOSS_SECONDS} s: ${result.failed} failed of ${result.total} key lookups` +
        (result.failed ? ` ${JSON.stringify(Object.fromEntries(result.failures))}` : ""),
    );
  }

  if (!only || only === "throttle") {
    const quiet = await lookups(url, keys, QUIET_SECONDS);
    const routes = [
      { method: "POST", path: "/api/2.0/database/credentials" },
      { method: "GET", path: "/api/2.0/database/instances/*" },
      { method: "GET", path: "/api/2.0/database/catalogs/*" },
      { method: "GET", path: "/api/2.0/database/synced_tables/**" },
    ];
    const countOf = () =>
      Object.entries(local.counters().routes)
        .filter(([k]) => /credentials|instances\/|catalogs\/|synced_tables\//.test(k))
        .reduce((a, [, n]) => a + n, 0);
    // The first token was fetched as the API started: start the throttling 10 s before its refresh is due.
    const wait = apiStartedAt + REFRESH_DUE_MS - 10_000 - Date.now();
    if (wait > 0) await sleep(wait);
    const before = countOf();
    for (const route of routes) local.faults.failNext(route, 429, 10_000_000);
    const throttled = await lookups(url, keys, THROTTLE_SECONDS);
    local.faults.clear();
    // Quiet again afterwards: on a shared machine the load drifts, so the throttled run sits between two.
    const after = await lookups(url, keys, QUIET_SECONDS);
    const q = percentiles([...quiet.latencies, ...after.latencies]);
    const t = percentiles(throttled.latencies);
    log(
      `2. workspace API throttled (429 on credentials and instance/catalog/synced-table GETs for ${THROTTLE_SECONDS} s, ` +
        `${countOf() - before} refused calls; a token refresh and the pool's reconnects inside): quiet (before and after) ${quiet.total + after.total} lookups p50 ${q.p50} ms p95 ${q.p95} ms p99 ${q.p99} ms, ` +
        `${quiet.failed + after.failed} failed; throttled ${throttled.total} lookups p50 ${t.p50} ms p95 ${t.p95} ms p99 ${t.p99} ms ` +
        `max ${t.max} ms, ${throttled.failed} failed; ratio p50 ${(t.p50 / q.p50).toFixed(2)}x p99 ${(t.p99 / q.p99).toFixed(2)}x`,
    );
  }

  if (!only || only === "ready") {
    const afterAvailable: number[] = [];
    const afterStart: number[] = [];
    for (let run = 0; run < READY_RUNS; run++) {
      await stopApi();
      await setStopped(true);
      url = await startApi();
      // Alive and not ready: the instance is stopped.
      const health = await fetch(`${url}/api/health`);
      if (health.status !== 200 || (await ready(url))) throw new Error("expected alive and not ready");
      const started = Date.now();
      const response = await fetch(`${url}/api/trpc/lakebase.start`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
      });
      if (response.status !== 200)
        throw new Error(`start failed: ${response.status} ${await response.text()}`);
      const [available, readyAt] = await Promise.all([
        until(async () => (await instanceState()) === "AVAILABLE", 120_000, 10),
        until(() => ready(url), 120_000, 10),
      ]);
      afterAvailable.push(readyAt - available);
      afterStart.push(readyAt - started);
    }
    const fmt = (xs: number[]) => xs.map((x) => `${x} ms`).join(", ");
    log(
      "3. ready after the database comes back (boot with the instance STOPPED, admin start through the app, " +
        `the local instance takes 2 s to start): ready ${fmt(afterAvailable)} after the instance turned ` +
        `AVAILABLE (${fmt(afterStart)} after the start call)`,
    );
  }
} finally {
  await stopApi();
  await admin.end();
  await local.stop();
  await postgres.stop();
}
