// The export-abuse run of issue #26 against a built app folder (default dist/app) on 1.5 M orders: three
// identities each start 20 exports and abort 20 more (after 1 s, while the database sorts), while a fourth
// user reads. Prints the exports' answers, the export backends in pg_stat_activity after the clients left,
// and the reader's latencies before and during the abuse.
//   node apps/api/scripts/export-abuse.ts [appDir] [--rows 1500000] [--data-dir DIR] [--seconds 20] [--query ?...]
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { freePort, startLocalPostgres } from "@lakebase-orders/pg-local";
import { analyzeOrders, createOrderIndexes, loadOrders } from "@lakebase-orders/tpch";
import pg from "pg";

const { values, positionals } = parseArgs({
  options: {
    rows: { type: "string", default: "1500000" },
    "data-dir": { type: "string" },
    seconds: { type: "string", default: "20" },
    query: { type: "string", default: "?sort=-totalPrice&priority=2-HIGH" },
  },
  allowPositionals: true,
});
const repoRoot = path.resolve(import.meta.dirname, "../../..");
const appDir = path.resolve(positionals[0] ?? path.join(repoRoot, "dist/app"));
const ROWS = Number(values.rows);
const SECONDS = Number(values.seconds);
const IDENTITIES = ["ann@example.com", "ben@example.com", "cat@example.com"];
const READER = "reader@example.com";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The bundle's runtime packages, as the Apps runtime installs them (once per build).
if (!fs.existsSync(path.join(appDir, "node_modules"))) {
  execFileSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: appDir, stdio: "inherit" });
}

const dataDir = values["data-dir"] ?? fs.mkdtempSync(path.join(os.tmpdir(), "export-abuse-pg-"));
const fresh = !fs.existsSync(path.join(dataDir, "PG_VERSION"));
const pgPort = await freePort();
const postgres = await startLocalPostgres({ dataDir, port: pgPort, fast: true });
const admin = new pg.Pool({ connectionString: postgres.url(), max: 2 });
admin.on("error", () => undefined);
const { rows: exists } = await admin.query("SELECT to_regclass('public.orders_synced') AS t");
if (fresh || !exists[0]?.t) {
  const client = await admin.connect();
  process.stderr.write(`loading ${ROWS} orders...\n`);
  await loadOrders(client, { rows: ROWS, seed: 26 });
  await createOrderIndexes(client);
  await analyzeOrders(client);
  client.release();
}

async function startApp(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["server.mjs"], {
    cwd: appDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      PORT: String(port),
      LAKEBASE_PG_URL: postgres.url(),
      TRUST_FORWARDED_HEADERS: "true",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error("the app exited");
    const ok = await fetch(`${url}/api/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, url };
    if (Date.now() > deadline) throw new Error("the app was not ready within 10 minutes");
    await sleep(200);
  }
}

const { child, url } = await startApp();
const as = (email: string) => ({ "X-Forwarded-Email": email });

/** Export backends now: the COPYs and their parallel workers. */
async function exportBackends(): Promise<{ copies: number; workers: number }> {
  const { rows } = await admin.query<{ copies: number; workers: number }>(
    `SELECT count(*) FILTER (WHERE a.query LIKE 'COPY (SELECT%' AND a.backend_type = 'client backend')::int AS copies,
            count(*) FILTER (WHERE a.backend_type = 'parallel worker' AND l.query LIKE 'COPY (SELECT%')::int AS workers
       FROM pg_stat_activity a LEFT JOIN pg_stat_activity l ON l.pid = a.leader_pid
      WHERE a.datname = current_database() AND a.state = 'active'`,
  );
  return rows[0] ?? { copies: 0, workers: 0 };
}

// How long exports take here, by sort and filter. The abuse's export (`--query`) is one the database sorts for
// over a second before its first byte (the issue's case).
const QUERY = values.query;
const VARIANTS = [
  "?sort=-totalPrice",
  "?sort=-totalPrice&priority=2-HIGH",
  "?sort=orderDate&status=F",
  "?sort=-orderDate",
];
let slowest = { query: QUERY, firstByteMs: 0, totalMs: 0 };
for (const query of VARIANTS) {
  const started = performance.now();
  const res = await fetch(`${url}/api/export/orders.csv${query}`, { headers: as("probe@example.com") });
  const reader = res.body!.getReader();
  await reader.read();
  const firstByteMs = performance.now() - started;
  while (!(await reader.read()).done);
  const totalMs = performance.now() - started;
  process.stderr.write(
    `export ${query}: ${res.status}, first byte ${firstByteMs.toFixed(0)} ms, whole ${totalMs.toFixed(0)} ms\n`,
  );
  if (query === QUERY) slowest = { query, firstByteMs, totalMs };
}

/** A reader's requests, one after another, on `concurrency` connections, for `ms`: their latencies. */
async function read(ms: number, concurrency = 2): Promise<number[]> {
  const latencies: number[] = [];
  const until = Date.now() + ms;
  let n = 0;
  const paths = [
    () =>
      `/api/trpc/orders.list?input=${encodeURIComponent(JSON.stringify({ pageSize: 100, sort: ["orderKey", "-orderDate", "-totalPrice"][n % 3] }))}`,
    () =>
      `/api/trpc/orders.byKey?input=${encodeURIComponent(JSON.stringify({ orderKey: 1 + 32 * (n % 40_000) }))}`,
    () =>
      `/api/trpc/orders.stream?input=${encodeURIComponent(JSON.stringify({ cursor: 32 * (n % 40_000), pageSize: 100 }))}`,
  ];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const path = paths[n++ % paths.length]!();
        const started = performance.now();
        const res = await fetch(`${url}${path}`, { headers: as(READER) });
        await res.arrayBuffer();
        if (res.status === 200) latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies;
}
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;
const figures = (xs: number[]) =>
  `${xs.length} reads, p50 ${pct(xs, 0.5).toFixed(1)} ms, p99 ${pct(xs, 0.99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;

await read(3000); // warm
const baseline = await read(SECONDS * 1000);

let peak = { copies: 0, workers: 0 };
let watching = true;
const samples: { t: number; copies: number; workers: number }[] = [];
const watcher = (async () => {
  while (watching) {
    const now = await exportBackends();
    peak = { copies: Math.max(peak.copies, now.copies), workers: Math.max(peak.workers, now.workers) };
    samples.push({ t: Date.now(), ...now });
    await sleep(100);
  }
})();
const at = (from: number, ms: number) => samples.find((s) => s.t >= from + ms);
const backendsAfter = (from: number) =>
  [500, 1000, 2000, 5000]
    .map((ms) => {
      const s = at(from, ms);
      return `+${ms / 1000} s: ${s ? `${s.copies} COPY, ${s.workers} workers` : "-"}`;
    })
    .join("; ");

const statuses = new Map<string, number>();
const count = (what: string) => statuses.set(what, (statuses.get(what) ?? 0) + 1);
const refusedMs: number[] = [];
const abortedAt: number[] = [];
let burstStarted = 0;
const exportOnce = async (email: string, abandonAfterMs: number | null) => {
  const kind = abandonAfterMs === null ? "kept" : "abandoned";
  const controller = new AbortController();
  const timer =
    abandonAfterMs === null
      ? undefined
      : setTimeout(() => {
          abortedAt.push(Date.now());
          controller.abort();
        }, abandonAfterMs);
  try {
    const res = await fetch(`${url}/api/export/orders.csv${QUERY}`, {
      headers: as(email),
      signal: controller.signal,
    });
    count(`${kind} ${res.status}`);
    if (res.status === 429) refusedMs.push(performance.now() - burstStarted);
    await res.arrayBuffer();
  } catch {
    count(`${kind}: left while running`);
  } finally {
    clearTimeout(timer);
  }
};

const during = read(SECONDS * 1000 + 20_000);

// Phase 1: every identity starts 20 exports and leaves them all after 1 s, while the database sorts. Any export
// backend left after that is one that outlived its client.
burstStarted = performance.now();
await Promise.all(IDENTITIES.flatMap((email) => Array.from({ length: 20 }, () => exportOnce(email, 1000))));
const leftAt = Math.max(...abortedAt, Date.now() - 1);
await sleep(5500);
const phase1 = { answers: new Map(statuses), after: backendsAfter(leftAt), twoSeconds: at(leftAt, 2000) };

// Phase 2: every identity starts 20 exports it keeps and 20 it leaves after 1 s, all at once, shuffled.
statuses.clear();
abortedAt.length = 0;
let seed = 26;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const tasks = IDENTITIES.flatMap((email) => [
  ...Array.from({ length: 20 }, () => () => exportOnce(email, null)),
  ...Array.from({ length: 20 }, () => () => exportOnce(email, 1000)),
])
  .map((task) => ({ task, order: random() }))
  .sort((a, b) => a.order - b.order)
  .map(({ task }) => task);
burstStarted = performance.now();
await Promise.all(tasks.map((task) => task()));
const readsDuring = await during;
watching = false;
await watcher;

process.stdout.write(
  `${[
    `app: ${appDir}`,
    `orders: ${ROWS}; the export ${QUERY}: first byte ${slowest.firstByteMs.toFixed(0)} ms, whole ${slowest.totalMs.toFixed(0)} ms`,
    `phase 1, 3 x 20 exports left after 1 s: ${JSON.stringify(Object.fromEntries([...phase1.answers].sort()))}`,
    `  export backends after the clients left: ${phase1.after}`,
    `  outlived their client at +2 s: ${phase1.twoSeconds ? `${phase1.twoSeconds.copies} COPY, ${phase1.twoSeconds.workers} workers` : "?"}`,
    `phase 2, 3 x (20 kept + 20 left after 1 s): ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    `refusals (429) answered within: p50 ${pct(refusedMs, 0.5).toFixed(0)} ms, max ${Math.max(0, ...refusedMs).toFixed(0)} ms of their burst`,
    `export backends at once, peak over both phases: ${peak.copies} COPY, ${peak.workers} parallel workers`,
    `reader before: ${figures(baseline)}`,
    `reader during: ${figures(readsDuring)}`,
  ].join("\n")}\n`,
);

child.kill("SIGTERM");
await new Promise((r) => child.once("exit", r));
await admin.end();
await postgres.stop();
if (!values["data-dir"]) fs.rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
