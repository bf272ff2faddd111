/**
 * The orders API under load beside its two floors, in one run:
 * - ours: the API as production runs it (bundled, `node server.mjs`, pool of 10, JSON request logs);
 * - HTTP floor: a bare node:http + `pg` server with the same SQL as named prepared statements, the same pool
 *   size and the same JSON (floor-server.ts);
 * - SQL floor: the same statements on a bare `pg` pool, no HTTP.
 * The table is what Databricks creates, primary key only (whatever else the app needs it must build itself).
 * autocannon drives the HTTP servers with 32 connections; the SQL floor has 32 concurrent callers. A scenario
 * whose bare SQL takes over 250 ms (a full scan) is measured one request at a time for all three.
 * The loaded cluster is kept in /tmp/lakebase-orders-bench/pg16-<rows> (BENCH_DATA_DIR) between runs.
 *
 * Usage: pnpm --filter @lakebase-orders/bench orders [--rows 1500000] [--duration 8] [--runs 2]
 *          [--workers 1,2] [--only <scenario prefix>[,<prefix>...]] [--pristine] [--refs ours,http,sql]
 *          [--connections 32]
 *   --pristine  drop every secondary index and the app's tables first (how the app finds a new synced table)
 *   --workers   API workers (CLUSTER_WORKERS) to measure, and the HTTP floor's process count alike
 *   --profile   a directory: the API's processes and the HTTP floor write V8 CPU profiles there when they stop
 */
import os from "node:os";
import pg from "pg";
import { processTreeCpuMs } from "./src/cpu.ts";
import { openBenchData, sizes } from "./src/data.ts";
import { loadFigures, statementsFor } from "./src/floor-sql.ts";
import { combine, type Figures, type LoadOptions, loadHttp, loadSql, probeSql, SLOW_MS } from "./src/load.ts";
import { pathOf, scenarios } from "./src/scenarios.ts";
import { buildApi, type Server, startApi, startFloor } from "./src/servers.ts";
import { formatTable, spread } from "./src/table.ts";

const args = process.argv.slice(2).filter((a) => a !== "--");
const value = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const ROWS = Number(value("--rows") ?? 1_500_000);
const RUNS = Number(value("--runs") ?? 1);
const WORKERS = (value("--workers") ?? "1").split(",").map(Number);
const ONLY = value("--only")?.split(",");
const REFS = new Set((value("--refs") ?? "ours,http,sql").split(","));
const POOL = 10; // the API's default DB_POOL_MAX
const load: LoadOptions = {
  connections: Number(value("--connections") ?? 32),
  durationSeconds: Number(value("--duration") ?? 8),
  sequentialRequests: Number(value("--sequential") ?? 5),
};

const log = (line: string) => process.stdout.write(`${line}\n`);
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

log(`load average at start: ${loadavg()} (${os.availableParallelism()} vCPUs)`);
const data = await openBenchData(ROWS, { pristine: args.includes("--pristine"), log });
const sqlPool = new pg.Pool({ connectionString: data.url, max: POOL });
sqlPool.on("error", () => undefined);
const servers: Server[] = [];
// Ctrl-C or a kill: stop what this run started (servers, then PostgreSQL) instead of leaving them behind.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void Promise.allSettled(servers.map((s) => s.stop()))
      .then(() => data.postgres.stop())
      .finally(() => process.exit(130));
  });
}
try {
  await buildApi();
  const results: string[][] = [];
  for (const workers of WORKERS) {
    const apiStarted = performance.now();
    const api = REFS.has("ours")
      ? await startApi(
          { LAKEBASE_PG_URL: data.url, CLUSTER_WORKERS: String(workers) },
          { profileDir: value("--profile") },
        )
      : undefined;
    if (api) servers.push(api);
    await settle(data.url, api?.url);
    log(
      `API (${workers} worker(s)) ready and settled in ${((performance.now() - apiStarted) / 1000).toFixed(1)} s`,
    );
    const floor = REFS.has("http")
      ? await startFloor(data.url, workers, POOL, value("--profile"))
      : undefined;
    if (floor) servers.push(floor);
    await addOverrides();
    const keys = await sampleKeys();
    // The positions the API takes from its rollup, for the SQL floor's deep pages (the HTTP floor loads its own).
    const figures = await loadFigures(sqlPool);
    const sz = await sizes(data.url);
    log(
      `\norders bench: ${ROWS.toLocaleString("en")} orders (table ${sz.table}, indexes ${sz.indexes}), ` +
        `${workers} worker(s), ${load.connections} connections, ${load.durationSeconds} s x ${RUNS} run(s), ` +
        `pool ${POOL}, node ${process.version}\n`,
    );
    for (const s of scenarios(keys, ROWS).filter((x) => !ONLY || ONLY.some((p) => x.name.startsWith(p)))) {
      const statements = () => statementsFor(s.next(), figures);
      const sqlWork = statements().length > 0;
      const sequential = sqlWork && (await probeSql(sqlPool, statements)) > SLOW_MS;
      const runs: { ours: Figures[]; http: Figures[]; sql: Figures[] } = { ours: [], http: [], sql: [] };
      for (let run = 0; run < RUNS; run++) {
        if (api) {
          runs.ours.push(
            await loadHttp(
              api.url,
              () => pathOf(s.next()),
              sequential,
              load,
              () => processTreeCpuMs(api.pid),
            ),
          );
        }
        if (floor) {
          runs.http.push(
            await loadHttp(
              floor.url,
              () => pathOf(s.next()),
              sequential,
              load,
              () => processTreeCpuMs(floor.pid),
            ),
          );
        }
        if (REFS.has("sql") && sqlWork) runs.sql.push(await loadSql(sqlPool, statements, sequential, load));
      }
      const cells = (f: Figures[]) => {
        if (f.length === 0) return ["-", "-", "-"];
        const c = combine(f);
        return [spread(c), c.p50.toFixed(1), c.p99.toFixed(1)];
      };
      const ours = runs.ours.length ? combine(runs.ours) : undefined;
      const failed = ours && ours.failures > 0 ? ` (${ours.failures} failed!)` : "";
      const row = [
        `${s.name}${sequential ? " (seq)" : ""}${failed}`,
        String(workers),
        ...cells(runs.ours),
        ...cells(runs.http),
        ...cells(runs.sql),
        ratio(runs.ours, runs.http),
        ...cpuCells(runs.ours, runs.http),
      ];
      results.push(row);
      log(row.join(" | "));
    }
    for (const s of servers.splice(0)) await s.stop();
  }
  log(
    `\n${formatTable([
      [
        "scenario",
        "workers",
        "ours req/s",
        "p50 ms",
        "p99 ms",
        "HTTP floor req/s",
        "p50 ms",
        "p99 ms",
        "SQL floor req/s",
        "p50 ms",
        "p99 ms",
        "ours/HTTP",
        "ours CPU us/req",
        "HTTP CPU us/req",
        "HTTP/ours CPU",
      ],
      ...results,
    ])}`,
  );
  log(
    `\nreq/s: median of ${RUNS} run(s) (min-max); ours/HTTP: median of the runs' ratios (min-max); CPU us/req: the server process's own CPU time (user + system, workers included) per request, from /proc; (seq): one request at a time, the bare SQL takes > ${SLOW_MS} ms`,
  );
  log(`load average at end: ${loadavg()}`);
} finally {
  for (const s of servers) await s.stop();
  await sqlPool.end();
  await data.postgres.stop();
}

/**
 * ours/HTTP floor: the median of each run's ratio (the two ran one after the other, so a change of load on
 * the shared machine between runs cancels out), with the range when there are several runs.
 */
function ratio(ours: Figures[], http: Figures[]): string {
  const r = ours
    .map((o, i) => (http[i] && http[i].rps > 0 ? (o.rps / http[i].rps) * 100 : Number.NaN))
    .filter((x) => Number.isFinite(x))
    .sort((a, b) => a - b);
  if (r.length === 0) return "-";
  const median = r[Math.floor((r.length - 1) / 2)]!;
  return r.length === 1
    ? `${median.toFixed(0)} %`
    : `${median.toFixed(0)} % (${r[0]!.toFixed(0)}-${r.at(-1)!.toFixed(0)})`;
}

/** The servers' own CPU per request (median of the runs), and the floor's as a share of ours. */
function cpuCells(ours: Figures[], http: Figures[]): string[] {
  const median = (f: Figures[]) => {
    const v = f
      .map((x) => x.cpuUs ?? Number.NaN)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    return v.length ? v[Math.floor((v.length - 1) / 2)]! : Number.NaN;
  };
  const o = median(ours);
  const h = median(http);
  const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "-");
  return [
    fmt(o),
    fmt(h),
    Number.isFinite(o) && Number.isFinite(h) && o > 0 ? `${((h / o) * 100).toFixed(0)} %` : "-",
  ];
}

/** Waits until the API answers orders and no index is being built (the app may build its own at start). */
async function settle(pgUrl: string, apiUrl: string | undefined): Promise<void> {
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try {
    let quiet = 0;
    while (quiet < 3) {
      const { rows } = await c.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_progress_create_index",
      );
      const answered = apiUrl
        ? await fetch(`${apiUrl}/api/trpc/orders.count`).then(
            (r) => r.ok,
            () => false,
          )
        : true;
      quiet = Number(rows[0]?.n) === 0 && answered ? quiet + 1 : 0;
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await c.end();
  }
}

/** A realistic overlay: a thousand app-side status changes (the API's migrations created the table). */
async function addOverrides(): Promise<void> {
  await sqlPool.query("DELETE FROM app_data.order_status WHERE updated_by = 'bench'");
  await sqlPool.query(
    `INSERT INTO app_data.order_status (order_key, status, updated_by)
     SELECT o_orderkey, 'P', 'bench' FROM public.orders_synced TABLESAMPLE SYSTEM (0.5) LIMIT 1000
     ON CONFLICT DO NOTHING`,
  );
  await sqlPool.query("ANALYZE app_data.order_status");
}

async function sampleKeys() {
  const { rows } = await sqlPool.query<{ k: string }>(
    "SELECT o_orderkey AS k FROM public.orders_synced TABLESAMPLE SYSTEM (0.5) LIMIT 20000",
  );
  const { rows: max } = await sqlPool.query<{ k: string }>(
    "SELECT max(o_orderkey) AS k FROM public.orders_synced",
  );
  return { sample: rows.map((r) => Number(r.k)), maxKey: Number(max[0]?.k) };
}
