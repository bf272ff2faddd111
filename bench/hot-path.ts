/**
 * The hot path against its floor, round by round (issue 27 items 3 and 4): the API (tRPC GET and the same
 * call over REST) and the bare node:http + pg floor (floor-server.ts) on the same data, one after the other
 * in every round (the order turns each round), so a noisy neighbour hits them alike. Per scenario: the
 * median of the rounds' req/s and server CPU per request (from /proc: the server process and its workers),
 * and the median of the rounds' ratios to the floor (each ratio taken within one round).
 * With --workers 1,2: the API with CLUSTER_WORKERS=n beside the floor forked into n processes.
 * With --profile <dir>: both servers run under --cpu-prof and <dir>/windows.json names the measured windows
 * (`<scenario>:<variant>:<workers>`), for `node profile-summary.ts <file> --windows <dir>/windows.json --key ...`.
 * Usage: pnpm --filter @lakebase-orders/bench hot-path [--duration 5] [--rounds 3] [--workers 1,2]
 *        [--only byKey,deep,list] [--rows 1500000] [--profile <dir>]
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { openBenchData } from "./src/data.ts";
import { loadRun, log, medianOf, type Run } from "./src/rounds.ts";
import { type Server, startApi, startFloor } from "./src/servers.ts";
import { formatTable } from "./src/table.ts";

const args = process.argv.slice(2).filter((a) => a !== "--");
const option = (name: string): string | undefined =>
  args.includes(name) ? args[args.indexOf(name) + 1] : undefined;
const ROWS = Number(option("--rows") ?? 1_500_000);
const DURATION = Number(option("--duration") ?? 5);
const ROUNDS = Number(option("--rounds") ?? 3);
const WORKERS = (option("--workers") ?? "1").split(",").map(Number);
const ONLY = option("--only")?.split(",");
const PROFILE = option("--profile");
// The API's allocations (garbage included) during the first round of each scenario's tRPC window.
const ALLOC_PROFILE = option("--alloc-profile");
const CONNECTIONS = 32;
const POOL = 10;

type Variant = "ours" | "rest" | "floor";
interface Scenario {
  name: string;
  /** The tRPC GET path (the API's and the floor's). */
  trpc: () => string;
  /** The same call over REST, when the scenario has one. */
  rest?: () => string;
}

const data = await openBenchData(ROWS, { log });
const pool = new pg.Pool({ connectionString: data.url, max: 2 });
pool.on("error", () => undefined);
const { rows } = await pool.query<{ k: string }>(
  "SELECT o_orderkey AS k FROM public.orders_synced TABLESAMPLE SYSTEM (2) LIMIT 20000",
);
await pool.end();
const keys = rows.map((r) => Number(r.k));
const maxKey = Math.max(...keys);
const deepKeys = keys.filter((k) => k > maxKey * 0.1);
const pick = (list: number[]) => list[Math.floor(Math.random() * list.length)]!;
const trpc = (procedure: string, input: unknown) =>
  `/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;

const scenarios: Scenario[] = [
  {
    name: "byKey",
    trpc: () => trpc("orders.byKey", { orderKey: pick(keys) }),
    rest: () => `/api/v1/orders/${pick(keys)}`,
  },
  {
    name: "deep",
    trpc: () => trpc("orders.stream", { cursor: pick(deepKeys), pageSize: 100 }),
    rest: () => `/api/v1/orders/stream?cursor=${pick(deepKeys)}&page_size=100`,
  },
  {
    name: "list",
    trpc: () => trpc("orders.list", { page: 1, pageSize: 100, includeCount: true }),
    rest: () => "/api/v1/orders/pages?page=1&page_size=100&include_count=true",
  },
].filter((s) => !ONLY || ONLY.includes(s.name));

/** Until no index build runs and the API answers a count, three seconds in a row (as bench/orders.ts). */
async function settle(apiUrl: string): Promise<void> {
  const c = new pg.Client({ connectionString: data.url });
  await c.connect();
  try {
    for (let quiet = 0; quiet < 3; ) {
      const { rows: building } = await c.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_progress_create_index",
      );
      const answered = await fetch(`${apiUrl}/api/trpc/orders.count`).then(
        (r) => r.ok,
        () => false,
      );
      quiet = Number(building[0]?.n) === 0 && answered ? quiet + 1 : 0;
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await c.end();
  }
}

const now = () => Number(process.hrtime.bigint() / 1000n);
let allocProfiles = 0;
const windows: Record<string, [number, number][]> = {};
const results: string[][] = [];
if (PROFILE) fs.mkdirSync(PROFILE, { recursive: true });
const load = fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
log(
  `\nhot path vs floor: ${ROWS.toLocaleString("en")} orders, ${CONNECTIONS} connections, pool ${POOL}, ${ROUNDS} interleaved rounds of ${DURATION} s, node ${process.version}, load ${load}\n`,
);

for (const workers of WORKERS) {
  const servers: Server[] = [];
  try {
    const api = await startApi(
      {
        LAKEBASE_PG_URL: data.url,
        CLUSTER_WORKERS: String(workers),
        DB_POOL_MAX: String(POOL),
        ...(ALLOC_PROFILE ? { BENCH_ALLOC_PROFILE_DIR: path.resolve(ALLOC_PROFILE) } : {}),
      },
      {
        profileDir: PROFILE,
        nodeArgs: ALLOC_PROFILE
          ? ["--import", fileURLToPath(new URL("src/alloc-sampler.ts", import.meta.url))]
          : [],
      },
    );
    servers.push(api);
    await settle(api.url);
    const floor = await startFloor(data.url, workers, POOL, PROFILE);
    servers.push(floor);
    for (const s of scenarios) {
      const variants: [Variant, Server, () => string][] = [
        ["ours", api, s.trpc],
        ...(s.rest ? [["rest", api, s.rest] as [Variant, Server, () => string]] : []),
        ["floor", floor, s.trpc],
      ];
      // Warm-up: JIT, pools, prepared statements, plans.
      for (const [, server, next] of variants) await loadRun(server.url, server.pid, next, 2, CONNECTIONS);
      const runs = new Map<Variant, Run[]>(variants.map(([v]) => [v, []]));
      for (let round = 0; round < ROUNDS; round++) {
        const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
        for (const [variant, server, next] of order) {
          const from = now();
          const sampled = ALLOC_PROFILE !== undefined && round === 0 && variant === "ours" && workers === 1;
          if (sampled) {
            process.kill(server.pid, "SIGUSR2");
            log(
              `allocations of ${s.name}: ${path.resolve(ALLOC_PROFILE)}/${server.pid}-${allocProfiles++}.heapprofile`,
            );
          }
          runs.get(variant)!.push(await loadRun(server.url, server.pid, next, DURATION, CONNECTIONS));
          if (sampled) process.kill(server.pid, "SIGUSR2");
          const key = `${s.name}:${variant}:${workers}`;
          windows[key] = [...(windows[key] ?? []), [from, now()]];
        }
      }
      const floorRuns = runs.get("floor")!;
      for (const [variant] of variants) {
        const own = runs.get(variant)!;
        const failures = own.reduce((n, r) => n + r.failures, 0);
        const rps = medianOf(own.map((r) => r.rps));
        const cpu = medianOf(own.map((r) => r.cpuUs));
        const rpsRatio = medianOf(own.map((r, i) => r.rps / floorRuns[i]!.rps));
        const cpuRatio = medianOf(own.map((r, i) => r.cpuUs / floorRuns[i]!.cpuUs));
        const vsTrpc =
          variant === "rest" ? medianOf(own.map((r, i) => r.rps / runs.get("ours")![i]!.rps)) : undefined;
        results.push([
          `${s.name}${failures > 0 ? ` (${failures} failed!)` : ""}`,
          variant === "ours" ? "ours (tRPC)" : variant === "rest" ? "ours (REST)" : "HTTP floor",
          String(workers),
          rps.toFixed(0),
          cpu.toFixed(0),
          variant === "floor" ? "1" : rpsRatio.toFixed(2),
          variant === "floor" ? "1" : cpuRatio.toFixed(2),
          vsTrpc === undefined ? "" : vsTrpc.toFixed(2),
        ]);
      }
    }
  } finally {
    for (const server of servers) await server.stop();
  }
}
await data.postgres.stop();
if (PROFILE) fs.writeFileSync(path.join(PROFILE, "windows.json"), JSON.stringify(windows));

log(
  formatTable(
    [
      ["scenario", "server", "workers", "req/s", "CPU us/req", "req/s / floor", "CPU / floor", "REST / tRPC"],
      ...results,
    ],
    2,
  ),
);
const end = fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
log(`\nload at end ${end}; ratios are medians of per-round ratios (each within one round)`);
