/**
 * Added latency of token injection, against the local Lakebase front door:
 * - cold connection (connect + `select 1` + end) with a static password vs the token provider's function
 *   (cached token, the normal case with background refresh) vs a provider with an empty cache (a credential
 *   API call per connection: what background refresh avoids);
 * - warm pool (`select 1` on pooled connections) with a static password vs a token-injected pool.
 * The floor is bare `pg` straight to the embedded PostgreSQL, without the front door.
 * Usage: pnpm --filter @lakebase-orders/bench token-injection [--tls] [--cold N] [--warm N]
 */
import {
  createWorkspaceClient,
  provisionedTokenProvider,
  type TokenProvider,
} from "@lakebase-orders/lakebase-auth";
import { startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { startLocalPostgres } from "@lakebase-orders/pg-local";
import pg from "pg";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const tls = args.includes("--tls");
const COLD = flag("--cold", 400);
const WARM = flag("--warm", 3000);
const POOL = 4;

const postgres = await startLocalPostgres({ fast: true });
const lakebase = await startLakebaseLocal({
  postgres: { adminUrl: postgres.url("postgres") },
  sourceRows: 10,
  timings: { instanceStartMs: 10, pipelineStepMs: 10 },
  seed: {
    instanceName: "bench",
    catalogName: "bench",
    databaseName: "bench",
    syncedTable: "public.orders_synced",
  },
});
try {
  const w = createWorkspaceClient({
    host: lakebase.restUrl,
    token: lakebase.workspaceToken,
    clientId: null,
    clientSecret: null,
    profile: null,
  });
  const provider = provisionedTokenProvider(w, "bench");
  const staticToken = await provider.getToken();
  const ssl = tls ? { rejectUnauthorized: false } : false;
  const door = {
    host: lakebase.pgHost,
    port: lakebase.pgPort,
    database: "bench",
    user: lakebase.identity,
    ssl,
  };
  // The embedded PostgreSQL has no TLS, so the floor is always plain.
  const floor = { connectionString: postgres.url("postgres") };

  type Password = string | (() => Promise<string>);
  const cold = (config: pg.ClientConfig) => async () => {
    const client = new pg.Client(config);
    await client.connect();
    await client.query("select 1");
    await client.end();
  };
  const withPassword = (password: Password): pg.ClientConfig => ({ ...door, password });

  const rows: [string, Stats][] = [];
  rows.push(["cold  floor: bare pg, no front door", await measure(COLD, cold(floor))]);
  rows.push(["cold  static password (a fixed token)", await measure(COLD, cold(withPassword(staticToken)))]);
  rows.push([
    "cold  token provider, cached token",
    await measure(COLD, cold(withPassword(() => provider.getToken()))),
  ]);
  rows.push([
    "cold  token provider, empty cache (API call)",
    await measure(COLD, () => {
      const fresh: TokenProvider = provisionedTokenProvider(w, "bench");
      return cold(withPassword(() => fresh.getToken()))();
    }),
  ]);
  const warm = async (label: string, config: pg.PoolConfig) => {
    const pool = new pg.Pool({ ...config, max: POOL });
    // pool.end() resolves before the sockets close; a 57P01 from the stopping front door may still arrive.
    pool.on("error", () => undefined);
    await Promise.all(Array.from({ length: POOL }, () => pool.query("select 1")));
    rows.push([label, await measure(WARM, () => pool.query("select 1").then(() => undefined))]);
    await pool.end();
  };
  await warm("warm  floor: bare pg pool", floor);
  await warm("warm  static password pool", withPassword(staticToken));
  await warm(
    "warm  token-injected pool",
    withPassword(() => provider.getToken()),
  );

  console.log(
    `token injection latency (ms), ${tls ? "TLS" : "plain"}, cold n=${COLD}, warm n=${WARM}, pool ${POOL}`,
  );
  console.log(`${"".padEnd(46)}${["p50", "p95", "p99", "mean"].map((h) => h.padStart(8)).join("")}`);
  for (const [label, s] of rows) {
    console.log(
      `${label.padEnd(46)}${[s.p50, s.p95, s.p99, s.mean].map((v) => v.toFixed(3).padStart(8)).join("")}`,
    );
  }
  const p50 = (label: string) => rows.find(([l]) => l.startsWith(label))?.[1].p50 ?? Number.NaN;
  console.log(
    `added by token injection: cold ${(p50("cold  token provider, cached") - p50("cold  static")).toFixed(3)} ms p50` +
      ` (empty cache: ${(p50("cold  token provider, empty") - p50("cold  static")).toFixed(3)} ms),` +
      ` warm ${(p50("warm  token-injected") - p50("warm  static")).toFixed(3)} ms p50`,
  );
} finally {
  await lakebase.stop();
  await postgres.stop();
}

interface Stats {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

async function measure(n: number, fn: () => Promise<void>): Promise<Stats> {
  for (let i = 0; i < Math.min(20, n); i++) await fn(); // warm-up: JIT, TLS session setup, caches
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) =>
    samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? Number.NaN;
  return {
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
  };
}
