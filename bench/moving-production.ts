/**
 * The "moving production" soak (issue 25): production moves under the app, and the app stays right.
 *
 * - Two app instances (separate processes, the deploy build's server.mjs, two workers each) behind a
 *   round-robin TCP proxy, on one local Lakebase whose cluster is a replicated pg-local primary; the app
 *   reads from a real hot standby that applies the WAL `--lag-ms` late (the readable secondary).
 * - Throughout: 32 connections of reads (byKey, list pages, counts, stats, trend); a writer changing statuses
 *   5 times a second and reading each change back through the proxy; the synced table (CONTINUOUS) receiving
 *   new rows from its source every 15 s (Databricks' shortest CONTINUOUS interval).
 * - Phases: steady; an ACCESS EXCLUSIVE lock on the synced table held 20 s (as a refresh or DDL would);
 *   every app connection killed once (a restart, a failover); one instance restarted (SIGTERM, then started
 *   again on a new port: a rolling deploy); steady again.
 *
 * It prints, per phase: requests, failures (goal 0 outside the lock window; inside it only 503 with
 * Retry-After), p50/p99; reads that missed the reader's own write (goal 0); and after each source update the
 * largest count error and how long it lasted (while the figures said `stale: true`, or not).
 *
 * A read that fails on a reused keep-alive connection that the server had just closed (an instance shutting
 * down) is sent again once on a new one, as browsers do for idempotent requests; writes are never resent.
 *
 * Usage: pnpm --filter @lakebase-orders/bench moving-production [--rows 100000] [--lag-ms 2000]
 *        [--scale 1] (phase lengths multiplied by --scale) [--log-level warn] (the instances', on stderr)
 *        [--series <file>] (the count polls as JSON, to look into an unflagged window)
 */
import { writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import { startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { startLocalPostgres, startStandby } from "@lakebase-orders/pg-local";
import pg from "pg";
import { startRoundRobin } from "./src/round-robin.ts";
import { buildApi, type Server, startApi } from "./src/servers.ts";
import { formatTable } from "./src/table.ts";

const args = process.argv.slice(2).filter((a) => a !== "--");
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROWS = flag("--rows", 100_000);
const LAG_MS = flag("--lag-ms", 2000);
const SCALE = flag("--scale", 1);
// Where to write the count series (every poll: time, error, stale, the table's count, computedAt), if asked.
const SERIES_FILE = args.includes("--series") ? args[args.indexOf("--series") + 1] : undefined;
const LOG_LEVEL = args.includes("--log-level") ? args[args.indexOf("--log-level") + 1]! : "warn";
const READERS = 32;
const LOCK_MS = 20_000;
const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- the database: a replicated primary carrying the local Lakebase, and a lagging hot standby ---
const NAMES = { instanceName: "soak", catalogName: "soak_catalog", databaseName: "soak" };
const primary = await startLocalPostgres({ fast: true, replication: true });
// Provisioned: the soak names an instance and reads through its own standby (the default flavour, Autoscaling,
// seeds a project instead, and the instance's database would not exist).
const local = await startLakebaseLocal({
  flavor: "provisioned",
  postgres: { adminUrl: primary.url("postgres") },
  sourceRows: ROWS,
  timings: { instanceStartMs: 0, instanceDeleteMs: 0, pipelineStepMs: 0, continuousIntervalMs: 1000 },
  seed: { ...NAMES, syncedTable: "public.orders_synced", schedulingPolicy: "CONTINUOUS" },
});
const syncedTable = `${NAMES.catalogName}.public.orders_synced`;
await local.waitForPipeline(syncedTable);
const physical = local.physicalDatabase(NAMES.instanceName, NAMES.databaseName);
const standby = await startStandby({ primary, applyDelayMs: LAG_MS, fast: true });
const admin = new pg.Pool({ connectionString: primary.url(physical), max: 3 });
const standbyAdmin = new pg.Pool({ connectionString: standby.url(physical), max: 1 });
log(`data: ${ROWS} rows, CONTINUOUS, standby ${LAG_MS} ms behind; load average ${loadAverage()}`);

// --- two instances behind the proxy ---
const env: Record<string, string> = {
  LAKEBASE_PG_URL: primary.url(physical),
  LAKEBASE_PG_READ_URL: standby.url(physical),
  CLUSTER_WORKERS: "2",
  TRUST_FORWARDED_HEADERS: "true",
  LOG_LEVEL,
};
await buildApi();
const instances: Server[] = await Promise.all([
  startApi(env, { logs: "stderr" }),
  startApi(env, { logs: "stderr" }),
]);
const portOf = (s: Server) => Number(new URL(s.url).port);
const proxy = await startRoundRobin(instances.map(portOf));

// --- the clock of phases ---
interface Phase {
  name: string;
  start: number;
  end: number;
}
const phases: Phase[] = [];
let phase: Phase = { name: "warm-up", start: Date.now(), end: Number.POSITIVE_INFINITY };
const enter = (name: string) => {
  phase.end = Date.now();
  phases.push(phase);
  phase = { name, start: Date.now(), end: Number.POSITIVE_INFINITY };
  log(`phase: ${name}`);
};
let lockWindow: { start: number; end: number } | undefined;

// --- requests ---
interface Sample {
  /** When the request was sent. */
  at: number;
  phase: string;
  kind: string;
  status: number;
  retryAfter: boolean;
  ms: number;
  error?: string;
}
const samples: Sample[] = [];
const agent = new http.Agent({ keepAlive: true, maxSockets: READERS + 8 });

function send(
  method: "GET" | "POST",
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; retryAfter: boolean; body: string; setCookie?: string[]; error?: string }> {
  const once = (retried: boolean) =>
    new Promise<{
      status: number;
      retryAfter: boolean;
      body: string;
      setCookie?: string[];
      error?: string;
      reused?: boolean;
    }>((resolve) => {
      const req = http.request(
        `${proxy.url}${path}`,
        {
          method,
          // The second try is on a new connection, not another kept-alive one to the same closing server.
          agent: method === "GET" && !retried ? agent : false,
          headers: { ...headers, ...(body ? { "content-type": "application/json" } : {}) },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8").on("data", (c: string) => {
            text += c;
          });
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              retryAfter: res.headers["retry-after"] !== undefined,
              body: text,
              ...(res.headers["set-cookie"] && { setCookie: res.headers["set-cookie"] }),
            }),
          );
          res.on("error", (e) => resolve({ status: 0, retryAfter: false, body: "", error: e.message }));
        },
      );
      req.on("error", (e) =>
        resolve({
          status: 0,
          retryAfter: false,
          body: "",
          error: e.message,
          reused: req.reusedSocket && !retried,
        }),
      );
      req.end(body);
    });
  return once(false).then((r) => (r.status === 0 && r.reused && method === "GET" ? once(true) : r));
}

async function timed(
  kind: string,
  method: "GET" | "POST",
  path: string,
  headers: Record<string, string> = {},
  body?: string,
) {
  const started = performance.now();
  const sentAt = Date.now();
  const r = await send(method, path, headers, body);
  samples.push({
    at: sentAt,
    phase: phase.name,
    kind,
    status: r.status,
    retryAfter: r.retryAfter,
    ms: performance.now() - started,
    ...(r.error && { error: r.error }),
    ...(r.status !== 200 && !r.error && { error: failureMessage(r.body) }),
  });
  return r;
}

const q = (procedure: string, input: unknown) =>
  `/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
const keys = (
  await admin.query<{ k: string }>(
    "SELECT o_orderkey::text AS k FROM public.orders_synced ORDER BY random() LIMIT 2000",
  )
).rows.map((r) => Number(r.k));
const pick = <T>(a: readonly T[]) => a[Math.floor(Math.random() * a.length)]!;
let running = true;

const readers = Array.from({ length: READERS }, async (_, i) => {
  const reader = `reader${i}@example.com`;
  const h = { "x-forwarded-email": reader };
  while (running) {
    const r = Math.random();
    if (r < 0.45) await timed("byKey", "GET", q("orders.byKey", { orderKey: pick(keys) }), h);
    else if (r < 0.65)
      await timed(
        "list",
        "GET",
        q("orders.list", { pageSize: 25, sort: pick(["orderKey", "-totalPrice", "orderDate"]) }),
        h,
      );
    else if (r < 0.75)
      await timed(
        "list filtered",
        "GET",
        q("orders.list", { status: pick(["F", "O", "P"]), pageSize: 25 }),
        h,
      );
    else if (r < 0.85) await timed("count", "GET", q("orders.count", { status: pick(["F", "O", "P"]) }), h);
    else if (r < 0.93) await timed("stats", "GET", q("orders.stats", {}), h);
    else await timed("rest byKey", "GET", `/api/v1/orders/${pick(keys)}`, h);
  }
});

// The writer: a change five times a second, each read back at once through the proxy (any instance, any
// worker): the read must show it. Like the SPA in a browser, it sends back the cookie its changes set (the
// write position: read-your-writes in an instance that has not heard of the change yet).
const WRITER = { "x-forwarded-email": "writer@example.com" };
let writerCookie: string | undefined;
const writerHeaders = () => (writerCookie ? { ...WRITER, cookie: writerCookie } : WRITER);
const writerKeys = keys.slice(0, 200);
let writes = 0;
let writesFailed = 0;
let missedOwnWrite = 0;
const missedDetail: string[] = [];
const writeOnce = async (key: number) => {
  const status = pick(["F", "O", "P"]);
  const w = await timed(
    "updateStatus",
    "POST",
    "/api/trpc/orders.updateStatus",
    writerHeaders(),
    JSON.stringify({ orderKey: key, status }),
  );
  writes++;
  if (w.status !== 200) {
    writesFailed++;
    return;
  }
  // Changes run side by side here, so their answers can arrive out of order: the jar keeps the latest change's.
  const position = w.setCookie?.find((c) => c.startsWith("orders_write_position="))?.split(";")[0];
  const seqOf = (cookie: string | undefined) => Number(cookie?.split("=")[1]?.split("@")[0] ?? 0);
  if (position && seqOf(position) > seqOf(writerCookie)) writerCookie = position;
  const back = await timed("read own write", "GET", q("orders.byKey", { orderKey: key }), writerHeaders());
  if (back.status !== 200) return;
  const seen = (JSON.parse(back.body) as { result: { data: { status: string } } }).result.data.status;
  if (seen !== status) {
    missedOwnWrite++;
    missedDetail.push(`${phase.name}: key ${key} wrote ${status} read ${seen}`);
  }
};
const inFlight = new Set<Promise<void>>();
const writer = (async () => {
  // Five a second: each change and its read-back run on their own, one key at a time.
  for (let i = 0; running; i++) {
    const task: Promise<void> = writeOnce(writerKeys[i % writerKeys.length]!).finally(() =>
      inFlight.delete(task),
    );
    inFlight.add(task);
    await sleep(200);
  }
  await Promise.all(inFlight);
})();

// The source: new rows every 5 s (the CONTINUOUS pipeline applies them within about a second); the app's
// total count is compared with the table's own, every 250 ms.
interface SourceUpdate {
  at: number;
  phase: string;
  rows: number;
}
const updates: SourceUpdate[] = [];
/** The app's total count against the table's own, every 250 ms. */
const series: { at: number; error: number; stale: boolean; truth: number; computedAt: number }[] = [];
// Every 15 s: Databricks' shortest interval for a CONTINUOUS pipeline.
const source = (async () => {
  while (running) {
    await sleep(15_000);
    if (!running) break;
    const rows = 20 + Math.floor(Math.random() * 80);
    await local.source.insert({ count: rows });
    updates.push({ at: Date.now(), phase: phase.name, rows });
  }
})();
const counter = (async () => {
  while (running) {
    await sleep(250);
    const [truth, app] = await Promise.all([
      admin
        .query<{ n: string }>("SELECT count(*)::text AS n FROM public.orders_synced")
        .then((r) => Number(r.rows[0]!.n))
        .catch(() => undefined),
      send("GET", q("orders.count", {}), {}).then((r) =>
        r.status === 200
          ? (
              JSON.parse(r.body) as {
                result: { data: { totalOrders: number; stale: boolean; computedAt: string } };
              }
            ).result.data
          : undefined,
      ),
    ]);
    if (truth !== undefined && app) {
      series.push({
        at: Date.now(),
        error: Math.abs(app.totalOrders - truth),
        stale: app.stale,
        truth,
        computedAt: Date.parse(app.computedAt),
      });
    }
  }
})();

// --- the phases ---
await sleep(15_000 * SCALE);
enter("steady");
await sleep(30_000 * SCALE);
enter("table locked 20 s");
// The window opens when the lock is asked for: from then on it queues ahead of every new reader (PostgreSQL
// grants locks in order), as a refresh's lock does in production.
lockWindow = { start: Date.now(), end: Number.POSITIVE_INFINITY };
const hold = await local.faults.holdSyncedTableLock(syncedTable, LOCK_MS);
await hold.released;
// Readers of the standby meet the lock until it has replayed the release, the lag later.
lockWindow.end = Date.now() + LAG_MS;
enter("after the lock");
await sleep(10_000 * SCALE);
enter("every connection killed");
const killed = await Promise.all(
  [admin, standbyAdmin].map(async (p) =>
    Number(
      (
        await p.query<{ n: string }>(
          "SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity WHERE application_name LIKE 'lakebase-orders%'",
        )
      ).rows[0]!.n,
    ),
  ),
);
log(`killed ${killed[0]} primary and ${killed[1]} standby sessions`);
await sleep(15_000 * SCALE);
enter("instance restarted");
const old = instances[1]!;
// As a platform rolls an instance: out of the rotation first, then SIGTERM, then its successor joins.
proxy.setBackends([portOf(instances[0]!)]);
await sleep(1000);
const stopping = old.stop();
const restarted = await startApi(env, { logs: "stderr" });
await stopping;
instances[1] = restarted;
proxy.setBackends(instances.map(portOf));
await sleep(20_000 * SCALE);
enter("steady again");
await sleep(20_000 * SCALE);
phase.end = Date.now();
phases.push(phase);
running = false;
await Promise.all([...readers, writer, source, counter]);

// --- the table ---
// In flight while the table was locked (on the primary, or on the standby that replays the lock LAG_MS late): a
// request sent a moment before the lock was asked for may reach the database after it, and queue behind it.
const inLock = (s: Sample) =>
  lockWindow !== undefined && s.at <= lockWindow.end && s.at + s.ms >= lockWindow.start;
const pct = (values: number[], p: number) => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const rows: string[][] = [
  ["phase", "requests", "failed", "503+Retry-After in lock", "other failures", "p50 ms", "p99 ms"],
];
for (const ph of phases) {
  const s = samples.filter((x) => x.phase === ph.name);
  const failed = s.filter((x) => x.status !== 200);
  const allowed = failed.filter((x) => inLock(x) && x.status === 503 && x.retryAfter);
  rows.push([
    ph.name,
    String(s.length),
    String(failed.length),
    String(allowed.length),
    String(failed.length - allowed.length),
    pct(
      s.map((x) => x.ms),
      50,
    ).toFixed(1),
    pct(
      s.map((x) => x.ms),
      99,
    ).toFixed(1),
  ]);
}
const out = (line: string) => process.stdout.write(`${line}\n`);
out(
  `\nmoving production: ${ROWS} rows, standby ${LAG_MS} ms behind, 2 instances x 2 workers, ${READERS} readers`,
);
out(formatTable(rows));
if (lockWindow)
  out(
    `lock window: ${((lockWindow.end - lockWindow.start) / 1000).toFixed(1)} s (from asking for the lock to its release, plus the standby's ${LAG_MS} ms lag); a request in flight during it is in it`,
  );
const other = samples.filter((x) => x.status !== 200 && !(inLock(x) && x.status === 503 && x.retryAfter));
const byCause = new Map<string, number>();
for (const x of other) {
  const key = `${x.phase} / ${x.kind} / ${x.status || ""}${x.retryAfter ? " Retry-After" : ""} ${x.error ?? ""}`;
  byCause.set(key, (byCause.get(key) ?? 0) + 1);
}
if (byCause.size > 0)
  out(`failures outside the allowance: ${[...byCause].map(([k, n]) => `${k}: ${n}`).join("; ")}`);
out(
  `writes: ${writes} (${writesFailed} failed); reads that missed the reader's own write: ${missedOwnWrite}`,
);
for (const d of missedDetail.slice(0, 10)) out(`  ${d}`);
// After each update: the largest count error until the count was exact again, how long that took, for how
// long of that the count did not say `stale: true`, and for how long it did not while dated (`computedAt`)
// after the pipeline had applied the update: figures that claim to be from after it without it. Until the
// rollup's next check a count is the last check's, dated before the update: not stale, but not presented as
// newer than it is.
const u: string[][] = [
  [
    "update at",
    "phase",
    "rows",
    "largest count error",
    "exact again after",
    "unflagged ms",
    "unflagged, dated after it ms",
  ],
];
const t0 = phases[0]?.start ?? 0;
// Applied: the first poll whose table count differs from the one before the update.
const appliedAt = updates.map((x) => {
  const truthBefore = series.filter((p) => p.at < x.at).at(-1)?.truth;
  return series.find((p) => p.at >= x.at && p.truth !== truthBefore)?.at ?? Number.POSITIVE_INFINITY;
});
// A wrong count that is not flagged and is dated at or after the latest update it should include claims to be
// newer than it is: counted against that update (a count dated before it is the last check's, honestly dated).
const misdated = updates.map(() => 0);
for (let i = 1; i < series.length; i++) {
  const p = series[i]!;
  if (p.error === 0 || p.stale) continue;
  const latest = appliedAt.findLastIndex((t) => t <= p.at);
  if (latest >= 0 && p.computedAt >= appliedAt[latest]!) misdated[latest]! += p.at - series[i - 1]!.at;
}
for (const [n, x] of updates.entries()) {
  const after = series.filter((p) => p.at >= x.at);
  const exact = after.find((p) => p.error === 0);
  const wrong = after.filter((p) => !exact || p.at < exact.at);
  let unflagged = 0;
  for (let i = 1; i < wrong.length; i++) if (!wrong[i]!.stale) unflagged += wrong[i]!.at - wrong[i - 1]!.at;
  u.push([
    `${((x.at - t0) / 1000).toFixed(0)} s`,
    x.phase,
    String(x.rows),
    String(Math.max(0, ...wrong.map((p) => p.error))),
    exact ? `${((exact.at - x.at) / 1000).toFixed(1)} s` : "not by the end",
    String(unflagged),
    String(misdated[n]),
  ]);
}
out(formatTable(u, 2));
if (SERIES_FILE) writeFileSync(SERIES_FILE, JSON.stringify({ updates, appliedAt, series }));
out(`load average at the end: ${loadAverage()}`);

agent.destroy();
await proxy.close();
await Promise.all(instances.map((s) => s.stop()));
await admin.end();
await standbyAdmin.end();
await local.stop();
await standby.stop();
await primary.stop();

/** What a failed answer said (tRPC or REST error shapes), short. */
function failureMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      error?: { message?: string; json?: { message?: string } };
      message?: string;
    };
    return (parsed.error?.json?.message ?? parsed.error?.message ?? parsed.message ?? body).slice(0, 90);
  } catch {
    return body.slice(0, 90);
  }
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
}
