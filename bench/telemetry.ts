/**
 * What telemetry costs per request: the same API, side by side in one run, with telemetry off (no OTLP
 * endpoint) and on (every request traced: HTTP and procedure spans, SQL spans for a tenth of the traces,
 * metrics, trace ids in the log lines, all exported over OTLP http/protobuf to a local sink), on with a span
 * for every SQL statement, on without Node's `--experimental-async-context-frame` (which the API runs with, as
 * production starts it), and, with `--baseline <git-ref>`, the API as it was at that commit, off and on, bundled
 * and started by that commit's own bench (bench/src/servers.ts), so "before" and "after" share the rounds.
 * The figure that matters is the API process's CPU time per request (from /proc, Linux): on a shared machine
 * throughput follows the neighbours, the CPU a request costs barely does. Runs are interleaved, the order
 * rotating per round, and the median round is kept; beside it the least CPU per request of any round: a
 * busy machine only ever adds to it (cache misses, migrations), so under a heavy load the least is the
 * steadier figure.
 * Beside them, the two floors (issue 27 item 2): the bare node:http + pg server (floor-server.ts: the same
 * statements, no framework, no telemetry), so "off" and "on" read as multiples of its CPU per request, and
 * the SQL floor: the same statements on a bare `pg` pool in this process (its CPU per request is this
 * process's, the client side of the query only), in the same rounds.
 * With --profile <dir>: the API processes run under --cpu-prof (`node profile-summary.ts <file>`).
 * Data: BENCH_DATA_DIR (default /tmp/lakebase-orders-bench/pg-<rows>), loaded when missing, as bench/rest.ts.
 * With --instances N, "off" and "on" (and the baseline's two) run as N processes each, a round's figure is the
 * mean of a build's processes, and the run prints how far its identical processes differ: a comparison of
 * single processes cannot resolve less than that. --core leaves out the two other "on" variants. With
 * --rate R, every server gets R requests a second (below what each can serve): CPU per request at the same
 * work per second, not at each server's own saturation.
 * Usage: pnpm --filter @lakebase-orders/bench telemetry [--duration 5] [--rounds 5] [--rows 150000]
 *        [--connections 16] [--warmup 6] [--baseline <git-ref>] [--profile <dir>]
 *        [--only byKey,list] [--instances 1] [--core] [--rate <req/s>]
 */
import { execSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import pg from "pg";
import { openBenchData, pristineCopy } from "./src/data.ts";
import { queryConfig, statementsFor } from "./src/floor-sql.ts";
import { loadRun, log, medianOf, type Run } from "./src/rounds.ts";
import { startApi, startFloor } from "./src/servers.ts";
import { formatTable } from "./src/table.ts";

const args = process.argv.slice(2).filter((a) => a !== "--");
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const flag = (name: string, fallback: number) => Number(option(name) ?? fallback);
const ROWS = flag("--rows", 150_000);
const DURATION = flag("--duration", 5);
const ROUNDS = flag("--rounds", 5);
const CONNECTIONS = flag("--connections", 16);
const WARMUP = flag("--warmup", 6);
const BASELINE = option("--baseline");
const PROFILE = option("--profile");
// The "on" API's allocations (garbage included) over its first measured run of each scenario.
const ALLOC_PROFILE = option("--alloc-profile");
const ONLY = option("--only")?.split(",");
// Processes per build for "off" and "on" (see where they start); --core leaves out the two other "on" variants.
const INSTANCES = flag("--instances", 1);
const CORE = args.includes("--core");
// Requests a second in all during a measured run (src/rounds.ts): the same work per second for every server.
const RATE = option("--rate") === undefined ? undefined : Number(option("--rate"));
const SQL_FLOOR = "SQL floor";
// The HTTP floor's pool size, for the SQL floor too.
const FLOOR_POOL = 10;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
interface Variant {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}
// The primary-key-only cluster the other benches keep (src/data.ts); the API builds its own indexes.
const data = await openBenchData(ROWS, { log });
// Another build's migrations must not meet this one's: the baseline runs on a copy of its own (same server).
const baselineUrl = BASELINE ? await pristineCopy(data, "bench_baseline", log) : undefined;
const pool = new pg.Pool({ connectionString: data.url, max: 2 });
pool.on("error", () => undefined);
const sink = await startSink();
const variants: Variant[] = [];
try {
  const dbUrl = data.url;
  // Identical processes of one build differ in CPU per request by up to a fifth on this machine (heap layout,
  // JIT decisions, which core they land on): with --instances N, "off" and "on" run as N processes each and
  // each round's figure is the mean of a variant's processes, so the comparison is of builds, not of processes.
  for (let i = 1; i <= INSTANCES; i++) variants.push(await startBundled(instanceName("off", i), dbUrl, {}));
  const on = {
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    OTEL_METRIC_EXPORT_INTERVAL: "5000",
  };
  for (let i = 1; i <= INSTANCES; i++) variants.push(await startBundled(instanceName("on", i), dbUrl, on));
  if (!CORE) {
    // Every statement its own span (TELEMETRY_SQL_SPAN_RATIO=1; the default is a tenth of the traces).
    variants.push(await startBundled("on, every SQL span", dbUrl, { ...on, TELEMETRY_SQL_SPAN_RATIO: "1" }));
    // The API runs with Node 22's AsyncLocalStorage on AsyncContextFrame (Node 24's default), as production
    // starts it; this one keeps the promise hooks, to show what the flag saves.
    variants.push(
      await startBundled("on, promise hooks (no async context frame)", dbUrl, on, [
        "--no-experimental-async-context-frame",
      ]),
    );
  }
  variants.push({ name: "HTTP floor", ...(await startFloor(dbUrl, 1, FLOOR_POOL)) });
  if (BASELINE) {
    // That commit's API, bundled and started by that commit's own bench (as production ran it then: its
    // flags, its builder), with telemetry off and on: "before" and "after" in the same rounds.
    const tree = baselineTree(BASELINE);
    const baseline = await baselineStarter(tree);
    const before: Variant[] = [];
    for (const [build, env] of [
      ["off", {}],
      ["on", on],
    ] as const) {
      for (let i = 1; i <= INSTANCES; i++) {
        before.push(
          await startBaseline(instanceName(`baseline ${BASELINE} ${build}`, i), baseline, baselineUrl!, env),
        );
      }
    }
    variants.unshift(...before);
  }

  const { rows } = await pool.query<{ k: string }>(
    "SELECT o_orderkey AS k FROM public.orders_synced TABLESAMPLE SYSTEM (5) LIMIT 20000",
  );
  const keys = rows.map((r) => Number(r.k));
  const pick = () => keys[Math.floor(Math.random() * keys.length)]!;
  const trpc = (procedure: string, input: unknown) =>
    `/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
  const scenarios = [
    {
      name: "orders.byKey random",
      path: () => trpc("orders.byKey", { orderKey: pick() }),
      sql: () => statementsFor({ procedure: "orders.byKey", input: { orderKey: pick() } }, undefined),
    },
    {
      name: "orders.list page 1",
      path: () => trpc("orders.list", { page: 1, pageSize: 50 }),
      sql: () => statementsFor({ procedure: "orders.list", input: { page: 1, pageSize: 50 } }, undefined),
    },
  ];
  const sqlPool = new pg.Pool({ connectionString: dbUrl, max: FLOOR_POOL });
  sqlPool.on("error", () => undefined);

  log(
    `\nTelemetry cost: ${ROWS.toLocaleString("en")} orders, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${DURATION} s${RATE === undefined ? "" : ` at ${RATE} req/s (the SQL floor unpaced)`}, node ${process.version}, ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}\n`,
  );
  const table: string[][] = [];
  const spreads: string[] = [];
  const names = [...variants.map((v) => v.name), SQL_FLOOR];
  for (const scenario of scenarios.filter((x) => !ONLY || ONLY.some((o) => x.name.includes(o)))) {
    const sqlRun = () => loadSqlRun(sqlPool, scenario.sql, DURATION, CONNECTIONS);
    // Warm-up: JIT, pool, caches (the first seconds of a fresh process cost several times the steady state).
    for (const v of variants) await loadRun(v.url, v.pid, scenario.path, WARMUP, CONNECTIONS);
    await loadSqlRun(sqlPool, scenario.sql, 2, CONNECTIONS);
    const runs = new Map<string, Run[]>(names.map((n) => [n, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate who goes first, so a drift in the machine's load favours none.
      for (let i = 0; i < names.length; i++) {
        const name = names[(round + i) % names.length]!;
        const v = variants.find((x) => x.name === name);
        const sampled = ALLOC_PROFILE !== undefined && round === 0 && name === "on";
        if (sampled && v) {
          process.kill(v.pid, "SIGUSR2");
          log(`allocations of ${scenario.name}: ${path.resolve(ALLOC_PROFILE)}/${v.pid}-<n>.heapprofile`);
        }
        runs
          .get(name)!
          .push(v ? await loadRun(v.url, v.pid, scenario.path, DURATION, CONNECTIONS, RATE) : await sqlRun());
        if (sampled && v) process.kill(v.pid, "SIGUSR2");
      }
    }
    // A build's runs: its processes' runs, and per round the mean of its processes' CPU per request.
    const builds = [...new Set([...variants.map((v) => buildOf(v.name)), SQL_FLOOR])];
    const runsOf = (build: string) => names.filter((n) => buildOf(n) === build).map((n) => runs.get(n)!);
    const perRound = (build: string) => {
      const instances = runsOf(build);
      return Array.from(
        { length: ROUNDS },
        (_, i) => instances.reduce((sum, r) => sum + r[i]!.cpuUs, 0) / instances.length,
      );
    };
    const off = perRound("off");
    const floor = perRound("HTTP floor");
    const offLeast = Math.min(...runsOf("off").flatMap((r) => r.map((x) => x.cpuUs)));
    for (const build of builds) {
      const instances = runsOf(build);
      const all = instances.flat();
      const rounds = perRound(build);
      const least = Math.min(...all.map((x) => x.cpuUs));
      // Against "off" round by round (the runs of one round are seconds apart, so the machine's load drifts
      // less between them than across the whole run), then the median of those ratios.
      const vsOff = medianOf(rounds.map((cpu, i) => cpu / off[i]! - 1));
      const failures = all.reduce((n, x) => n + x.failures, 0);
      const row = [
        scenario.name,
        failures > 0 ? `${build} (${failures} failed!)` : build,
        medianOf(all.map((x) => x.rps)).toFixed(0),
        medianOf(all.map((x) => x.p50)).toFixed(1),
        medianOf(all.map((x) => x.p99)).toFixed(1),
        medianOf(all.map((x) => x.cpuUs)).toFixed(0),
        least.toFixed(0),
        instances.length > 1
          ? instances.map((r) => medianOf(r.map((x) => x.cpuUs)).toFixed(0)).join("/")
          : rounds.map((cpu) => cpu.toFixed(0)).join("/"),
        `${(vsOff * 100).toFixed(1)} %`,
        `${((least / offLeast - 1) * 100).toFixed(1)} %`,
        medianOf(rounds.map((cpu, i) => cpu / floor[i]!)).toFixed(2),
      ];
      table.push(row);
      log(row.join(" | "));
    }
    if (INSTANCES > 1) {
      // What a comparison of single processes could not resolve: how far identical processes of one build differ.
      for (const build of ["off", "on"]) {
        const medians = runsOf(build).map((r) => medianOf(r.map((x) => x.cpuUs)));
        spreads.push(
          `${scenario.name}, ${build}: its ${medians.length} processes' median CPU per request differ by ${(
            (Math.max(...medians) / Math.min(...medians) - 1) * 100
          ).toFixed(1)} % (${medians.map((m) => m.toFixed(0)).join(", ")} µs)`,
        );
      }
    }
  }
  const header = [
    "scenario",
    "variant",
    "req/s",
    "p50 ms",
    "p99 ms",
    "CPU us/req",
    "least",
    INSTANCES > 1 ? "per process (median)" : "per round",
    "CPU vs off (median per round)",
    "least vs off's least",
    "CPU / floor",
  ];
  log(`\n${formatTable([header, ...table], 2)}`);
  for (const line of spreads) log(line);
  log(`\nexported to the sink: ${sink.requests()} OTLP requests, ${(sink.bytes() / 1e6).toFixed(1)} MB`);
  log(
    `load at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  await sqlPool.end();
} finally {
  for (const v of variants) await v.stop();
  await sink.close();
  await pool.end();
  await data.postgres.stop();
}

/** The n-th process of a build: "on", "on #2", ... */
function instanceName(build: string, n: number): string {
  return n === 1 ? build : `${build} #${n}`;
}

function buildOf(name: string): string {
  return name.replace(/ #\d+$/, "");
}

/**
 * The API as production runs it (server.mjs: `run`, the telemetry its OTEL_* environment configures), one
 * process so /proc/<pid>/stat is its own CPU; measured once it serves the orders.
 */
async function startBundled(
  name: string,
  dbUrl: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<Variant> {
  const sampler = fileURLToPath(new URL("src/alloc-sampler.ts", import.meta.url));
  const server = await startApi(
    {
      LAKEBASE_PG_URL: dbUrl,
      CLUSTER_WORKERS: "1",
      ...(ALLOC_PROFILE ? { BENCH_ALLOC_PROFILE_DIR: path.resolve(ALLOC_PROFILE) } : {}),
      ...env,
    },
    {
      profileDir: PROFILE && path.join(PROFILE, name),
      nodeArgs: ALLOC_PROFILE ? [...nodeArgs, "--import", sampler] : nodeArgs,
    },
  );
  const deadline = Date.now() + 120_000;
  while (
    !(await fetch(`${server.url}/api/trpc/orders.count`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`the ${name} server does not serve the orders within 120 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { name, ...server };
}

/**
 * The SQL floor: `connections` callers run a request's statements on a bare pool for `duration` seconds; the
 * CPU is this process's own (the pg client's side of each query: protocol, parsing the rows).
 */
async function loadSqlRun(
  pool: pg.Pool,
  next: () => ReturnType<typeof statementsFor>,
  duration: number,
  connections: number,
): Promise<Run> {
  const latencies: number[] = [];
  let failures = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const end = started + duration * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await Promise.all(next().map((s) => pool.query(queryConfig(s)))).catch(() => failures++);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0;
  return {
    rps: latencies.length / elapsed,
    cpuUs: (used.user + used.system) / Math.max(1, latencies.length - failures),
    p50: at(0.5),
    p99: at(0.99),
    failures,
  };
}

type StartApi = typeof startApi;

/** The baseline tree's own `startApi` (bench/src/servers.ts): bundles that commit's API into its own dist. */
async function baselineStarter(tree: string): Promise<StartApi> {
  const file = path.join(tree, "bench/src/servers.ts");
  if (!fs.existsSync(file))
    throw new Error(`--baseline: ${file} is missing (a commit older than the bundled bench)`);
  const module = (await import(pathToFileURL(file).href)) as { startApi?: StartApi };
  if (typeof module.startApi !== "function") throw new Error(`--baseline: ${file} has no startApi`);
  return module.startApi;
}

async function startBaseline(
  name: string,
  start: StartApi,
  dbUrl: string,
  env: Record<string, string>,
): Promise<Variant> {
  const server = await start({ LAKEBASE_PG_URL: dbUrl, CLUSTER_WORKERS: "1", ...env });
  return { name, ...server };
}

/** An OTLP/HTTP endpoint that accepts and drops everything (decoding would cost this process, not the API). */
async function startSink() {
  let requests = 0;
  let bytes = 0;
  const server = http.createServer((req, res) => {
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on("end", () => {
      requests++;
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    bytes: () => bytes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The sources at `ref` (git archive) beside this checkout, using this checkout's installed packages: every
 * node_modules entry links to the same package, except the workspace's own, which link to the baseline's.
 */
function baselineTree(ref: string): string {
  const sha = execSync(`git rev-parse --short ${ref}`, { cwd: root, encoding: "utf8" }).trim();
  const tree = path.join(os.tmpdir(), `lakebase-orders-baseline-${sha}`);
  if (fs.existsSync(path.join(tree, ".linked"))) return tree;
  fs.rmSync(tree, { recursive: true, force: true });
  fs.mkdirSync(tree, { recursive: true });
  execSync(`git archive ${sha} | tar -x -C ${tree}`, { cwd: root });
  const packageDirs = [".", "apps/api", "apps/web", "bench", ...["packages", "tests"].flatMap(listDirs)];
  for (const dir of packageDirs) {
    const modules = path.join(root, dir, "node_modules");
    if (fs.existsSync(modules) && fs.existsSync(path.join(tree, dir))) {
      linkModules(modules, path.join(tree, dir, "node_modules"), tree);
    }
  }
  // Prisma's generated client is gitignored.
  fs.symlinkSync(path.join(root, "packages/db/src/generated"), path.join(tree, "packages/db/src/generated"));
  fs.writeFileSync(path.join(tree, ".linked"), sha);
  return tree;
}

function listDirs(parent: string): string[] {
  return fs.readdirSync(path.join(root, parent)).map((d) => path.join(parent, d));
}

function linkModules(from: string, to: string, tree: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from)) {
    const source = path.join(from, entry);
    const stat = fs.lstatSync(source);
    if (entry.startsWith("@") && stat.isDirectory() && !stat.isSymbolicLink()) {
      linkModules(source, path.join(to, entry), tree);
      continue;
    }
    let real: string;
    try {
      real = fs.realpathSync(source);
    } catch {
      continue; // a dangling link
    }
    const inWorkspace = real.startsWith(`${root}/`) && !real.includes(`${path.sep}node_modules${path.sep}`);
    fs.symlinkSync(inWorkspace ? path.join(tree, path.relative(root, real)) : real, path.join(to, entry));
  }
}
