/**
 * REST (/api/v1) beside tRPC (/api/trpc) on the same server process and the same data: the same procedures
 * answer both, so the difference is the edge (routing, validation, snake_case mapping). Runs are interleaved
 * (tRPC, REST, REST, tRPC, ...) and the median of the rounds is kept, so a noisy neighbour hits both sides.
 * Beside req/s, the API process's CPU time per request (from /proc, Linux): on a shared machine throughput
 * follows the neighbours, while the CPU a request costs the API barely does.
 * Data: the primary-key-only cluster bench/orders.ts keeps (src/data.ts), loaded when missing. The API runs as
 * production runs it (the bundled server, one worker: src/servers.ts), and builds its own indexes and rollup.
 * Usage: pnpm --filter @lakebase-orders/bench rest [--duration 5] [--rounds 3] [--rows 1500000] [--only <prefix>]
 */
import pg from "pg";
import { openBenchData } from "./src/data.ts";
import { loadRun, log, medianOf, type Run } from "./src/rounds.ts";
import { type Server, startApi } from "./src/servers.ts";
import { formatTable } from "./src/table.ts";

const args = process.argv.slice(2).filter((a) => a !== "--");
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROWS = flag("--rows", 1_500_000);
const DURATION = flag("--duration", 5);
const ROUNDS = flag("--rounds", 3);
const CONNECTIONS = 32;
interface Scenario {
  name: string;
  trpc: () => string;
  rest: () => string;
}

const data = await openBenchData(ROWS, { log });
const pool = new pg.Pool({ connectionString: data.url, max: 2 });
pool.on("error", () => undefined);
let server: Server | undefined;
try {
  // One process, so its CPU time is the API's own.
  server = await startApi({ LAKEBASE_PG_URL: data.url, CLUSTER_WORKERS: "1" });
  const apiUrl = server.url;
  const serverPid = server.pid;

  const { rows } = await pool.query<{ k: string }>(
    "SELECT o_orderkey AS k FROM public.orders_synced TABLESAMPLE SYSTEM (2) LIMIT 20000",
  );
  const keys = rows.map((r) => Number(r.k));
  const maxKey = Math.max(...keys);
  const deepKeys = keys.filter((k) => k > maxKey * 0.1);
  const pick = (list: number[]) => list[Math.floor(Math.random() * list.length)]!;
  const trpc = (procedure: string, input?: unknown) =>
    `/api/trpc/${procedure}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`;

  const scenarios: Scenario[] = [
    {
      name: "byKey random",
      trpc: () => trpc("orders.byKey", { orderKey: pick(keys) }),
      rest: () => `/api/v1/orders/${pick(keys)}`,
    },
    {
      name: "stream first page",
      trpc: () => trpc("orders.stream", { pageSize: 100 }),
      rest: () => "/api/v1/orders/stream?cursor=0&page_size=100",
    },
    {
      name: "stream deep cursor",
      trpc: () => trpc("orders.stream", { cursor: pick(deepKeys), pageSize: 100 }),
      rest: () => `/api/v1/orders/stream?cursor=${pick(deepKeys)}&page_size=100`,
    },
    {
      name: "pages p1 +count",
      trpc: () => trpc("orders.list", { page: 1, pageSize: 100 }),
      rest: () => "/api/v1/orders/pages?page=1&page_size=100&include_count=true",
    },
    { name: "count", trpc: () => trpc("orders.count"), rest: () => "/api/v1/orders/count" },
  ];

  const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
  log(
    `\nREST vs tRPC: ${ROWS.toLocaleString("en")} orders, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${DURATION} s, node ${process.version}\n`,
  );
  const table: string[][] = [];
  for (const s of scenarios.filter((x) => !only || x.name.startsWith(only))) {
    await loadRun(apiUrl, serverPid, s.trpc, 2, CONNECTIONS); // warm-up: JIT, pool, plan and count caches
    await loadRun(apiUrl, serverPid, s.rest, 2, CONNECTIONS);
    const t: Run[] = [];
    const r: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate who goes first, so a drift in the machine's load favours neither.
      if (round % 2 === 0) {
        t.push(await loadRun(apiUrl, serverPid, s.trpc, DURATION, CONNECTIONS));
        r.push(await loadRun(apiUrl, serverPid, s.rest, DURATION, CONNECTIONS));
      } else {
        r.push(await loadRun(apiUrl, serverPid, s.rest, DURATION, CONNECTIONS));
        t.push(await loadRun(apiUrl, serverPid, s.trpc, DURATION, CONNECTIONS));
      }
    }
    const [tm, rm] = [median(t), median(r)];
    const failures = [...t, ...r].reduce((n, x) => n + x.failures, 0);
    const row = [
      failures > 0 ? `${s.name} (${failures} failed!)` : s.name,
      tm.rps.toFixed(0),
      tm.p50.toFixed(1),
      tm.p99.toFixed(1),
      rm.rps.toFixed(0),
      rm.p50.toFixed(1),
      rm.p99.toFixed(1),
      `${((rm.rps / tm.rps) * 100).toFixed(0)} %`,
      r.map((x, i) => `${((x.rps / t[i]!.rps) * 100).toFixed(0)}`).join("/"),
      medianOf(t.map((x) => x.cpuUs)).toFixed(0),
      medianOf(r.map((x) => x.cpuUs)).toFixed(0),
      `${((medianOf(r.map((x) => x.cpuUs)) / medianOf(t.map((x) => x.cpuUs))) * 100).toFixed(0)} %`,
    ];
    table.push(row);
    log(row.join(" | "));
  }
  const header = [
    "scenario",
    "tRPC req/s",
    "p50 ms",
    "p99 ms",
    "REST req/s",
    "p50 ms",
    "p99 ms",
    "REST/tRPC",
    "per round %",
    "tRPC CPU us/req",
    "REST CPU us/req",
    "REST/tRPC CPU",
  ];
  log(`\n${formatTable([header, ...table])}`);
} finally {
  await server?.stop();
  await pool.end();
  await data.postgres.stop();
}

/** The run with the median throughput (its latencies with it). */
function median(runs: Run[]): Run {
  return [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!;
}
