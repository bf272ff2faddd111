/**
 * Orders API under load vs the floor (the same SQL through a bare `pg` pool), on 1,500,000 TPC-H orders.
 * The API runs as in production (startServer: migrations, default pool of 10, JSON request logs built and
 * dropped) in a child process; autocannon drives it with 32 connections. The floor runs the API's SQL with
 * 32 concurrent callers on a `pg` pool of the same size. The loaded cluster is kept between runs in
 * BENCH_DATA_DIR (default /tmp/lakebase-orders-bench/pg-1500000).
 * Usage: pnpm --filter @lakebase-orders/bench orders [--duration 8] [--rows 1500000] [--only <scenario prefix>]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { startLocalPostgres } from "@lakebase-orders/pg-local";
import { createOrderIndexes, loadOrders } from "@lakebase-orders/tpch";
import autocannon from "autocannon";
import pg from "pg";

const args = process.argv.slice(2).filter((a) => a !== "--");
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROWS = flag("--rows", 1_500_000);
const DURATION = flag("--duration", 8);
const CONNECTIONS = 32;
const POOL = 10; // the API's default DB_POOL_MAX
const DATABASE = "orders_bench";
const dataDir = process.env.BENCH_DATA_DIR ?? `/tmp/lakebase-orders-bench/pg-${ROWS}`;
const here = path.dirname(fileURLToPath(import.meta.url));

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const postgres = await startLocalPostgres({ dataDir, fast: true });
let server: ChildProcess | undefined;
const floorPool = new pg.Pool({ connectionString: postgres.url(DATABASE), max: POOL });
floorPool.on("error", () => undefined);
try {
  await ensureData();
  // tsx, as `pnpm dev` runs the API: some workspace sources use bundler-style import paths plain node rejects.
  server = spawn(
    path.join(here, "../node_modules/.bin/tsx"),
    [path.join(here, "orders-server.ts"), postgres.url(DATABASE)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const first = await readline.createInterface({ input: server.stdout! })[Symbol.asyncIterator]().next();
  if (first.done) throw new Error("the API server exited before listening (its error is above)");
  const apiUrl = (JSON.parse(String(first.value)) as { url: string }).url;
  await addOverrides();

  const { rows: keyRows } = await floorPool.query<{ k: string }>(
    "SELECT o_orderkey AS k FROM public.orders_synced TABLESAMPLE SYSTEM (2) LIMIT 20000",
  );
  const keys = keyRows.map((r) => Number(r.k));
  const { rows: maxRow } = await floorPool.query<{ k: string }>(
    "SELECT max(o_orderkey) AS k FROM public.orders_synced",
  );
  const maxKey = Number(maxRow[0]?.k);
  // Deep cursors: anywhere in the last 90 % of the key range.
  const deepKeys = keys.filter((k) => k > maxKey * 0.1);
  const pick = (list: number[]) => list[Math.floor(Math.random() * list.length)]!;
  const trpc = (procedure: string, input?: unknown) =>
    `/api/trpc/${procedure}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`;

  const COLS = `o.o_orderkey AS "orderKey", o.o_custkey AS "custKey", COALESCE(s.status, o.o_orderstatus) AS status,
    o.o_totalprice::text AS "totalPrice", to_char(o.o_orderdate, 'YYYY-MM-DD') AS "orderDate",
    o.o_orderpriority AS priority, o.o_clerk AS clerk, o.o_shippriority AS "shipPriority", o.o_comment AS comment`;
  const JOIN = "LEFT JOIN app_data.order_status s ON s.order_key = o.o_orderkey";
  // As the API does it: a plain index walk near the top, a deferred join from 1,000 rows deep.
  const pageSql = (offset: number) =>
    offset < 1000
      ? `SELECT ${COLS} FROM public.orders_synced o ${JOIN} ORDER BY o.o_orderkey ASC LIMIT 101 OFFSET ${offset}`
      : `WITH page AS MATERIALIZED (
      SELECT o.o_orderkey FROM public.orders_synced o ORDER BY o.o_orderkey ASC LIMIT 101 OFFSET ${offset})
    SELECT ${COLS} FROM page p JOIN public.orders_synced o ON o.o_orderkey = p.o_orderkey ${JOIN} ORDER BY o.o_orderkey ASC`;
  const countSql = "SELECT count(*) AS n FROM public.orders_synced o";
  type Query = [string, unknown[]];

  interface Scenario {
    name: string;
    path: () => string;
    floor: (() => Query[]) | null;
  }
  const scenarios: Scenario[] = [
    {
      name: "byKey random",
      path: () => trpc("orders.byKey", { orderKey: pick(keys) }),
      floor: () => [
        [`SELECT ${COLS} FROM public.orders_synced o ${JOIN} WHERE o.o_orderkey = $1`, [pick(keys)]],
      ],
    },
    {
      name: "list p1 +count",
      path: () => trpc("orders.list", { page: 1, pageSize: 100 }),
      floor: () => [
        [pageSql(0), []],
        [countSql, []],
      ],
    },
    {
      name: "list p1 no count",
      path: () => trpc("orders.list", { page: 1, pageSize: 100, includeCount: false }),
      floor: () => [[pageSql(0), []]],
    },
    {
      name: "list p1000 no count",
      path: () => trpc("orders.list", { page: 1000, pageSize: 100, includeCount: false }),
      floor: () => [[pageSql(99_900), []]],
    },
    {
      name: "naive OFFSET p1000 (SQL)",
      path: () => "",
      floor: () => [
        [
          `SELECT ${COLS} FROM public.orders_synced o ${JOIN} ORDER BY o.o_orderkey LIMIT 101 OFFSET 99900`,
          [],
        ],
      ],
    },
    {
      name: "stream first page",
      path: () => trpc("orders.stream", { pageSize: 100 }),
      floor: () => [
        [`SELECT ${COLS} FROM public.orders_synced o ${JOIN} ORDER BY o.o_orderkey ASC LIMIT 101`, []],
      ],
    },
    {
      name: "stream deep cursor",
      path: () => trpc("orders.stream", { cursor: pick(deepKeys), pageSize: 100 }),
      floor: () => [
        [
          `SELECT ${COLS} FROM public.orders_synced o ${JOIN} AND s.order_key > $1
            WHERE o.o_orderkey > $1 ORDER BY o.o_orderkey ASC LIMIT 101`,
          [pick(deepKeys)],
        ],
      ],
    },
    { name: "count", path: () => trpc("orders.count"), floor: () => [[countSql, []]] },
  ];

  log(
    `\norders bench: ${ROWS.toLocaleString("en")} orders, ${CONNECTIONS} connections, ${DURATION} s per run, pool ${POOL}, node ${process.version}\n`,
  );
  const header = [
    "scenario",
    "API req/s",
    "p50 ms",
    "p99 ms",
    "floor req/s",
    "p50 ms",
    "p99 ms",
    "API/floor",
  ];
  const table: string[][] = [];
  const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
  for (const s of scenarios.filter((x) => !only || x.name.startsWith(only))) {
    const api = s.path() ? await loadApi(apiUrl, s.path) : undefined;
    const floor = s.floor ? await loadFloor(s.floor) : undefined;
    const row = [
      s.name,
      api ? api.rps.toFixed(0) : "-",
      api ? api.p50.toFixed(1) : "-",
      api ? api.p99.toFixed(1) : "-",
      floor ? floor.rps.toFixed(0) : "-",
      floor ? floor.p50.toFixed(1) : "-",
      floor ? floor.p99.toFixed(1) : "-",
      api && floor ? `${((api.rps / floor.rps) * 100).toFixed(0)} %` : "-",
    ];
    if (api && api.failures > 0) row[0] = `${s.name} (${api.failures} failed!)`;
    table.push(row);
    log(row.join(" | "));
  }
  log(`\n${formatTable([header, ...table])}`);
} finally {
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await once(server, "exit");
  }
  await floorPool.end();
  await postgres.stop();
}

async function loadApi(url: string, nextPath: () => string) {
  const run = (duration: number) =>
    autocannon({
      url,
      connections: CONNECTIONS,
      duration,
      requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: nextPath() }) }],
    });
  await run(2); // warm-up: JIT, pool connections, plan caches, the count cache
  const r = await run(DURATION);
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    failures: r.errors + r.timeouts + r.non2xx,
  };
}

async function loadFloor(next: () => [string, unknown[]][]) {
  const run = async (duration: number) => {
    const latencies: number[] = [];
    const end = performance.now() + duration * 1000;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (performance.now() < end) {
          const started = performance.now();
          // A request's queries run concurrently, as the API runs them (page and count together).
          await Promise.all(next().map(([text, values]) => floorPool.query(text, values)));
          latencies.push(performance.now() - started);
        }
      }),
    );
    return latencies;
  };
  await run(1);
  const latencies = (await run(DURATION)).sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rps: latencies.length / DURATION, p50: at(0.5), p99: at(0.99) };
}

async function ensureData(): Promise<void> {
  const admin = new pg.Client({ connectionString: postgres.url("postgres") });
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (exists.rowCount === 1) {
      const c = new pg.Client({ connectionString: postgres.url(DATABASE) });
      await c.connect();
      const ready = await c
        .query<{ rows: string }>("SELECT rows FROM public.bench_loaded")
        .then((r) => Number(r.rows[0]?.rows) === ROWS)
        .catch(() => false);
      await c.end();
      if (ready) return log(`reusing ${ROWS.toLocaleString("en")} orders in ${dataDir}`);
      await admin.query(`DROP DATABASE ${DATABASE} WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  log(`loading ${ROWS.toLocaleString("en")} orders into ${dataDir} (kept for the next run)...`);
  const c = new pg.Client({ connectionString: postgres.url(DATABASE) });
  await c.connect();
  try {
    const loaded = await loadOrders(c, { rows: ROWS });
    await createOrderIndexes(c);
    // The visibility map lets the page-key scans be index-only, as on a settled synced table.
    await c.query("VACUUM (ANALYZE) public.orders_synced");
    await c.query("CREATE TABLE public.bench_loaded AS SELECT $1::int AS rows", [ROWS]);
    log(`loaded in ${(loaded.ms / 1000).toFixed(1)} s`);
  } finally {
    await c.end();
  }
}

/** A realistic overlay: a thousand app-side status changes (the API's migrations created the table). */
async function addOverrides(): Promise<void> {
  await floorPool.query("DELETE FROM app_data.order_status WHERE updated_by = 'bench'");
  await floorPool.query(
    `INSERT INTO app_data.order_status (order_key, status, updated_by)
     SELECT o_orderkey, 'P', 'bench' FROM public.orders_synced TABLESAMPLE SYSTEM (1) LIMIT 1000
     ON CONFLICT DO NOTHING`,
  );
  await floorPool.query("ANALYZE app_data.order_status");
}

function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "),
    )
    .join("\n");
}
