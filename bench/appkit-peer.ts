/**
 * AppKit as a peer (issue 27 item 8): what a Databricks developer would write instead of this stack, the
 * smallest AppKit 0.38 app in its documented shape (bench/appkit/server.ts: createApp with lakebase() +
 * server(), two Express routes), against ours and the floors, in one run, on the same local Lakebase
 * (Autoscaling endpoint, its front door, verified TLS) started as its own process (the CLI, data kept in
 * BENCH_DATA_DIR or /tmp/lakebase-orders-bench/lakebase-as-<rows>):
 *   - ours: the API as production runs it (src/servers.ts), tRPC GET and the same call over REST, one worker;
 *   - AppKit: `node bench/appkit/server.ts` with only what Databricks Apps gives an app with a `postgres`
 *     resource (PG*, LAKEBASE_ENDPOINT, DATABRICKS_HOST, the workspace token) and NODE_EXTRA_CA_CERTS;
 *   - HTTP floor: bare node:http + pg (floor-server.ts) through the same front door;
 *   - SQL floor: the API's statement on a bare pool from the bench process (the database's own bound).
 * Every pool has 10 connections; autocannon drives each HTTP server with 32 connections, in interleaved
 * rounds (the order turns each round). Per scenario and server: req/s, server CPU per request (the server
 * process, from /proc), the local Lakebase's CPU per request (front door, and front door + PostgreSQL: what
 * the database side spent), response header and body bytes of one answer. Ratios are medians of per-round
 * ratios, each within one round.
 * Usage: pnpm --filter @lakebase-orders/bench appkit-peer [--rows 150000] [--duration 5] [--rounds 3]
 *        [--only byKey,list] [--profile <dir>]
 * With --profile: ours and AppKit run under --cpu-prof (<dir>/appkit.cpuprofile is AppKit's) and
 * <dir>/windows.json names the measured windows (`<scenario>:<variant>:1`), for
 * `node profile-summary.ts <file> --windows <dir>/windows.json --key byKey:appkit:1`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import readline from "node:readline";
import { byKeyStatement } from "@lakebase-orders/api/orders-sql";
import { freePort } from "@lakebase-orders/pg-local";
import pg from "pg";
import { listStatement, loadFigures, type Statement, TABLE } from "./src/floor-sql.ts";
import { loadSql } from "./src/load.ts";
import { loadRun, log, medianOf, type Run } from "./src/rounds.ts";
import { type Server, startApi, startFloor } from "./src/servers.ts";
import { formatTable } from "./src/table.ts";

const args = process.argv.slice(2).filter((a) => a !== "--");
const option = (name: string): string | undefined =>
  args.includes(name) ? args[args.indexOf(name) + 1] : undefined;
const ROWS = Number(option("--rows") ?? 150_000);
const DURATION = Number(option("--duration") ?? 5);
const ROUNDS = Number(option("--rounds") ?? 3);
const ONLY = option("--only")?.split(",");
const PROFILE = option("--profile");
const CONNECTIONS = 32;
const POOL = 10;
const PAGE = 100;
const here = import.meta.dirname;
const repoRoot = path.resolve(here, "..");
const loadavg = () => fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/** utime, stime, cutime, cstime of a process (ms): its own CPU and its exited children's. */
function cpuFields(pid: number): number[] {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat
      .slice(stat.lastIndexOf(")") + 2)
      .split(" ")
      .slice(11, 15)
      .map((ticks) => Number(ticks) * 10);
  } catch {
    return [0, 0, 0, 0]; // ended meanwhile
  }
}

/** CPU time (ms) of one process alone: the local Lakebase's front door. */
const ownCpuMs = (pid: number) => cpuFields(pid)[0]! + cpuFields(pid)[1]!;

/**
 * CPU time (ms) of a process tree, counting children that have exited too (PostgreSQL backends come and go
 * with the pools' connections: their time moves to the postmaster's children's time when they end).
 */
function treeCpuMs(pid: number): number {
  const [u = 0, s = 0, cu = 0, cs = 0] = cpuFields(pid);
  let total = u + s + cu + cs;
  let children = "";
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
  } catch {}
  for (const child of children ? children.split(" ") : []) total += treeCpuMs(Number(child));
  return total;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}

// The local Lakebase in its own process (its front door relays every byte: its CPU is not the bench's).
const dataDir = process.env.BENCH_DATA_DIR ?? `/tmp/lakebase-orders-bench/lakebase-as-${ROWS}`;
const fresh = !fs.existsSync(dataDir);
if (fresh) log(`loading ${ROWS.toLocaleString("en")} orders into a local Lakebase in ${dataDir} (kept)...`);
const lakebaseProcess = spawn(
  process.execPath,
  [path.join(repoRoot, "packages/lakebase-local/src/cli.ts"), "--data-dir", dataDir, "--rows", String(ROWS)],
  { stdio: ["ignore", "pipe", "ignore"] },
);
const first = await readline
  .createInterface({ input: lakebaseProcess.stdout! })
  [Symbol.asyncIterator]()
  .next();
if (first.done) throw new Error("the local Lakebase exited before it was ready");
const lake = JSON.parse(String(first.value)) as {
  restUrl: string;
  workspaceToken: string;
  caFile: string;
  caPem: string;
  endpointName: string;
  endpointPort: number;
  databaseName: string;
};
const servers: Server[] = [];
let appkit: ChildProcess | undefined;
try {
  const auth = { Authorization: `Bearer ${lake.workspaceToken}` };
  const identity = (
    (await (await fetch(`${lake.restUrl}/api/2.0/preview/scim/v2/Me`, { headers: auth })).json()) as {
      userName: string;
    }
  ).userName;
  const host = (
    (await (
      await fetch(`${lake.restUrl}/api/2.0/postgres/${lake.endpointName}`, { headers: auth })
    ).json()) as {
      status: { hosts: { host: string } };
    }
  ).status.hosts.host;
  const pgConfig: pg.PoolConfig = {
    host,
    port: lake.endpointPort,
    database: lake.databaseName,
    user: identity,
    password: lake.workspaceToken,
    ssl: { ca: lake.caPem },
  };
  const pgUrl = `postgresql://${encodeURIComponent(identity)}:${encodeURIComponent(lake.workspaceToken)}@${host}:${lake.endpointPort}/${lake.databaseName}?sslmode=verify-full&sslrootcert=${encodeURIComponent(lake.caFile)}`;

  const api = await startApi(
    {
      DATABRICKS_HOST: lake.restUrl,
      DATABRICKS_TOKEN: lake.workspaceToken,
      LAKEBASE_ENDPOINT: lake.endpointName,
      PGSSLROOTCERT: lake.caFile,
      LAKEBASE_CATALOG_NAME: "orders_catalog",
      LAKEBASE_DATABASE_NAME: lake.databaseName,
      CLUSTER_WORKERS: "1",
      DB_POOL_MAX: String(POOL),
      // Key lookups and pages by key need only the primary key: no index builds beside the load.
      ORDERS_INDEXES: "off",
    },
    { profileDir: PROFILE },
  );
  servers.push(api);

  // AppKit, started as Databricks Apps starts an app with a `postgres` resource (tests/appkit does the same).
  const appkitPort = await freePort();
  const appkitOutput: string[] = [];
  if (PROFILE) fs.mkdirSync(PROFILE, { recursive: true });
  const profiling = PROFILE
    ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE}`, "--cpu-prof-name=appkit.cpuprofile"]
    : [];
  appkit = spawn(process.execPath, [...profiling, path.join(here, "appkit/server.ts")], {
    cwd: here,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      DATABRICKS_HOST: lake.restUrl,
      DATABRICKS_TOKEN: lake.workspaceToken,
      DATABRICKS_APP_NAME: "appkit-orders",
      DATABRICKS_APP_PORT: String(appkitPort),
      PGHOST: host,
      PGPORT: String(lake.endpointPort),
      PGDATABASE: lake.databaseName,
      PGUSER: identity,
      PGSSLMODE: "require",
      PGAPPNAME: "appkit-orders",
      LAKEBASE_ENDPOINT: lake.endpointName,
      NODE_EXTRA_CA_CERTS: lake.caFile,
    },
  });
  appkit.stdout?.on("data", (chunk: Buffer) => appkitOutput.push(chunk.toString()));
  appkit.stderr?.on("data", (chunk: Buffer) => appkitOutput.push(chunk.toString()));
  const appkitUrl = `http://127.0.0.1:${appkitPort}`;
  for (const deadline = Date.now() + 60_000; ; ) {
    if (appkit.exitCode !== null)
      throw new Error(`AppKit exited (${appkit.exitCode}):\n${appkitOutput.join("")}`);
    if (
      (await fetch(`${appkitUrl}/api/orders/1`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      break;
    if (Date.now() > deadline)
      throw new Error(`AppKit did not answer within 60 s:\n${appkitOutput.join("")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const appkitServer: Server = { url: appkitUrl, pid: appkit.pid!, stop: async () => undefined };
  const floor = await startFloor(pgUrl, 1, POOL);
  servers.push(floor);

  const pool = new pg.Pool({ ...pgConfig, max: POOL });
  pool.on("error", () => undefined);
  const keys = (
    await pool.query<{ k: string }>(
      "SELECT o_orderkey::text AS k FROM public.orders_synced TABLESAMPLE SYSTEM (10) LIMIT 20000",
    )
  ).rows.map((r) => Number(r.k));
  const pick = () => keys[Math.floor(Math.random() * keys.length)]!;
  const figures = await loadFigures(pool);
  const trpc = (procedure: string, input: unknown) =>
    `/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;

  type Variant = "ours" | "rest" | "appkit" | "floor";
  interface Scenario {
    name: string;
    paths: Record<Variant, () => string>;
    sql: () => Statement[];
  }
  const listInput = { page: 1, pageSize: PAGE, includeCount: false };
  const scenarios: Scenario[] = (
    [
      {
        name: "byKey",
        paths: {
          ours: () => trpc("orders.byKey", { orderKey: pick() }),
          rest: () => `/api/v1/orders/${pick()}`,
          appkit: () => `/api/orders/${pick()}`,
          floor: () => trpc("orders.byKey", { orderKey: pick() }),
        },
        sql: () => [byKeyStatement(TABLE, pick())],
      },
      {
        name: "list",
        paths: {
          ours: () => trpc("orders.list", listInput),
          rest: () => `/api/v1/orders/pages?page=1&page_size=${PAGE}&include_count=false`,
          appkit: () => `/api/orders?page=1&page_size=${PAGE}`,
          floor: () => trpc("orders.list", listInput),
        },
        sql: () => [listStatement(listInput, figures)],
      },
    ] satisfies Scenario[]
  ).filter((s) => !ONLY || ONLY.includes(s.name));
  const serverOf: Record<Variant, Server> = { ours: api, rest: api, appkit: appkitServer, floor };
  const labels: Record<Variant, string> = {
    ours: "ours (tRPC)",
    rest: "ours (REST)",
    appkit: "AppKit 0.38.1",
    floor: "HTTP floor",
  };

  /** One answer's status line + headers, and body, in bytes as they went on the wire. */
  const weigh = (url: string) =>
    new Promise<{ status: number; headers: number; body: number; names: string[] }>((resolve, reject) => {
      http
        .get(url, (res) => {
          let head = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\r\n`;
          for (let i = 0; i < res.rawHeaders.length; i += 2)
            head += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
          let body = 0;
          res.on("data", (chunk: Buffer) => {
            body += chunk.length;
          });
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: Buffer.byteLength(`${head}\r\n`),
              body,
              names: res.rawHeaders.filter((_, i) => i % 2 === 0),
            }),
          );
        })
        .on("error", reject);
    });

  const lakePid = lakebaseProcess.pid!;
  interface Measured extends Run {
    frontDoorUs: number;
    databaseUs: number;
  }
  const now = () => Number(process.hrtime.bigint() / 1000n);
  const windows: Record<string, [number, number][]> = {};
  const measure = async (scenario: string, variant: Variant, next: () => string): Promise<Measured> => {
    const server = serverOf[variant];
    const from = now();
    const own = ownCpuMs(lakePid);
    const tree = treeCpuMs(lakePid);
    const run = await loadRun(server.url, server.pid, next, DURATION, CONNECTIONS);
    const key = `${scenario}:${variant}:1`;
    windows[key] = [...(windows[key] ?? []), [from, now()]];
    const answered = Math.max(1, run.rps * DURATION);
    return {
      ...run,
      frontDoorUs: ((ownCpuMs(lakePid) - own) * 1000) / answered,
      databaseUs: ((treeCpuMs(lakePid) - tree) * 1000) / answered,
    };
  };

  log(
    `\nAppKit as a peer: ${ROWS.toLocaleString("en")} orders on the local Lakebase (Autoscaling endpoint, verified TLS), ` +
      `${CONNECTIONS} connections, pools of ${POOL}, ${ROUNDS} interleaved rounds of ${DURATION} s, node ${process.version}, load ${loadavg()}\n`,
  );
  const results: string[][] = [];
  const headerNames = new Map<string, string>();
  for (const s of scenarios) {
    const variants = Object.keys(s.paths) as Variant[];
    const weights = new Map<Variant, { status: number; headers: number; body: number; names: string[] }>();
    for (const v of variants) {
      const w = await weigh(serverOf[v].url + s.paths[v]());
      if (w.status !== 200) throw new Error(`${s.name} ${v}: ${w.status}`);
      weights.set(v, w);
      headerNames.set(`${s.name} ${labels[v]}`, w.names.join(", "));
    }
    // Warm-up: JIT, pools, prepared statements, plans.
    for (const v of variants) await loadRun(serverOf[v].url, serverOf[v].pid, s.paths[v], 2, CONNECTIONS);
    const runs = new Map<Variant, Measured[]>(variants.map((v) => [v, []]));
    const sqlRps: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < variants.length; i++) {
        const v = variants[(i + round) % variants.length]!;
        runs.get(v)!.push(await measure(s.name, v, s.paths[v]));
      }
      const sql = await loadSql(pool, s.sql, false, {
        connections: CONNECTIONS,
        durationSeconds: DURATION,
        sequentialRequests: 0,
      });
      sqlRps.push(sql.rps);
    }
    const appkitRuns = runs.get("appkit")!;
    for (const v of variants) {
      const own = runs.get(v)!;
      const failures = own.reduce((n, r) => n + r.failures, 0);
      const w = weights.get(v)!;
      results.push([
        `${s.name}${failures > 0 ? ` (${failures} failed!)` : ""}`,
        labels[v],
        medianOf(own.map((r) => r.rps)).toFixed(0),
        medianOf(own.map((r) => r.cpuUs)).toFixed(0),
        medianOf(own.map((r) => r.frontDoorUs)).toFixed(0),
        medianOf(own.map((r) => r.databaseUs)).toFixed(0),
        String(w.headers),
        String(w.body),
        v === "appkit" ? "1" : medianOf(own.map((r, i) => r.rps / appkitRuns[i]!.rps)).toFixed(2),
        v === "appkit" ? "1" : medianOf(own.map((r, i) => r.cpuUs / appkitRuns[i]!.cpuUs)).toFixed(2),
        `${medianOf(own.map((r) => r.p50))} / ${medianOf(own.map((r) => r.p99))}`,
      ]);
    }
    results.push([
      s.name,
      "SQL floor (bare pool)",
      medianOf(sqlRps).toFixed(0),
      "-",
      "",
      "",
      "",
      "",
      "",
      "",
      "",
    ]);
  }
  await pool.end();
  if (PROFILE) fs.writeFileSync(path.join(PROFILE, "windows.json"), JSON.stringify(windows));
  log(
    formatTable(
      [
        [
          "scenario",
          "server",
          "req/s",
          "server CPU us/req",
          "front door us/req",
          "front door + PG us/req",
          "header B",
          "body B",
          "req/s / AppKit",
          "CPU / AppKit",
          "p50 / p99 ms",
        ],
        ...results,
      ],
      2,
    ),
  );
  log("\nresponse headers:");
  for (const [who, names] of headerNames) log(`  ${who}: ${names}`);
  log(
    `\nload at end ${loadavg()}; ratios are medians of per-round ratios (each within one round). front door + PG:\n` +
      "the local Lakebase's process tree (its TLS front door relaying every byte, and PostgreSQL's backends).",
  );
} finally {
  for (const server of servers) await server.stop();
  if (appkit) await stopChild(appkit);
  await stopChild(lakebaseProcess, "SIGINT");
}
