/**
 * A request that finds the endpoint suspended (issue 27 item 6): the local Lakebase (Autoscaling flavour)
 * scales its endpoint to zero after --suspend-after-ms without activity and wakes it at the next login
 * (the compute's real start plus --wake-delay-ms). Cycle after cycle: everything idle until the postgres API
 * says the endpoint is IDLE, then exactly one probe, timed from its start to its first row:
 *   - byKey: the API's tRPC `orders.byKey` (a named prepared statement on the new session);
 *   - list: the API's tRPC `orders.list` page 1 (100 rows, by key, no count);
 *   - bare pg: a new node-postgres client to the same endpoint (verified TLS, the workspace token as its
 *     password, nothing to fetch), connect + the byKey statement: the local Lakebase's own wake, measured the
 *     same way; the floor.
 * The probes take turns, so a noisy neighbour hits them alike. Per probe: p50/p95/max of the total, of the
 * wake as the local Lakebase counted it (login arrival to compute up, `lastWakeMs`), and of the rest
 * (total - wake: TCP, TLS, login, credentials, statements, HTTP); then what the app adds to the wake: each
 * API probe's rest minus bare pg's rest (p50 against p50, p95 against p95). The claim: at most 50 ms.
 * The API runs as production runs it (bench/src/servers.ts), one worker, its background queries off (rollup
 * check hourly, no index builds), so that only the probes wake the endpoint.
 * Usage: pnpm --filter @lakebase-orders/bench cold-endpoint [--cycles 20] [--suspend-after-ms 500]
 *        [--wake-delay-ms 200] [--rows 20000] [--debug]
 */
import fs from "node:fs";
import { startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import pg from "pg";
import { log } from "./src/rounds.ts";
import { startApi } from "./src/servers.ts";
import { formatTable } from "./src/table.ts";

const args = process.argv.slice(2).filter((a) => a !== "--");
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CYCLES = flag("--cycles", 20);
const SUSPEND_AFTER_MS = flag("--suspend-after-ms", 500);
const WAKE_DELAY_MS = flag("--wake-delay-ms", 200);
const ROWS = flag("--rows", 20_000);
/** The API's debug log lines and the local Lakebase's events on stderr, with the bench's clock. */
const DEBUG = args.includes("--debug");
/** Milliseconds on one clock for the bench's own timings and the local Lakebase's events. */
const clock = () => performance.now();
const events = { woken: [] as number[], accepted: [] as number[] };
const loadavg = () => fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

const local = await startLakebaseLocal({
  flavor: "autoscaling",
  suspendAfterMs: SUSPEND_AFTER_MS,
  wakeDelayMs: WAKE_DELAY_MS,
  sourceRows: ROWS,
  timings: { instanceStartMs: 0, instanceDeleteMs: 0, pipelineStepMs: 0 },
  // The phases' timestamps: when the compute was up, and when each login was relayed to it.
  log: (event) => {
    if (event.event === "endpoint_woken") events.woken.push(clock());
    else if (event.event === "front_door_accepted") events.accepted.push(clock());
    if (DEBUG) process.stderr.write(`${JSON.stringify({ at: clock(), ...event })}\n`);
  },
  seed: {
    instanceName: "bench-wake",
    catalogName: "bench_wake",
    databaseName: "orders",
    syncedTable: "public.orders_synced",
  },
});
const endpointName = local.endpointName ?? "";
const endpointUrl = `${local.restUrl}/api/2.0/postgres/${endpointName}`;
const auth = { Authorization: `Bearer ${local.workspaceToken}` };
const endpoint = (await (await fetch(endpointUrl, { headers: auth })).json()) as {
  status: { hosts: { host: string } };
};
const bareConfig: pg.ClientConfig = {
  host: endpoint.status.hosts.host,
  port: local.endpointPort,
  database: "orders",
  user: local.identity,
  password: local.workspaceToken,
  ssl: { ca: local.caPem },
};

const api = await startApi(
  {
    DATABRICKS_HOST: local.restUrl,
    DATABRICKS_TOKEN: local.workspaceToken,
    LAKEBASE_ENDPOINT: endpointName,
    PGSSLROOTCERT: local.caFile,
    LAKEBASE_CATALOG_NAME: "bench_wake",
    LAKEBASE_DATABASE_NAME: "orders",
    CLUSTER_WORKERS: "1",
    ORDERS_ROLLUP_CHECK_SECONDS: "3600",
    ORDERS_INDEXES: "off",
    ...(DEBUG ? { LOG_LEVEL: "debug" } : {}),
  },
  DEBUG ? { logs: "stderr" } : {},
);

// Real keys (TPC-H keys are sparse), read through the front door like any client.
const keys = await (async () => {
  const c = new pg.Client(bareConfig);
  await c.connect();
  try {
    const { rows } = await c.query<{ k: string }>(
      "SELECT o_orderkey::text AS k FROM public.orders_synced ORDER BY random() LIMIT 200",
    );
    return rows.map((r) => Number(r.k));
  } finally {
    await c.end();
  }
})();
const pick = () => keys[Math.floor(Math.random() * keys.length)]!;
const trpc = (procedure: string, input: unknown) =>
  `${api.url}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;

const counters = () => local.counters().computes[endpointName];
const state = async (): Promise<string> =>
  ((await (await fetch(endpointUrl, { headers: auth })).json()) as { status: { current_state: string } })
    .status.current_state;

/** Until the postgres API says IDLE (the compute's suspension, confirmed the way a client sees it). */
async function idle(): Promise<void> {
  const deadline = Date.now() + 60_000 + SUSPEND_AFTER_MS;
  while ((await state()) !== "IDLE") {
    if (Date.now() > deadline) throw new Error(`${endpointName} did not suspend within 60 s of idling`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** When the first byte of the body came (the first row is in it: the answers are small, one chunk). */
async function firstRow(url: string): Promise<number> {
  const response = await fetch(url);
  const reader = response.body!.getReader();
  const first = await reader.read();
  const at = clock();
  if (response.status !== 200 || first.done) throw new Error(`${url}: ${response.status}`);
  while (!(await reader.read()).done);
  return at;
}

/** When the row came, on a new session: connect (TLS, login) and the byKey statement. */
async function bare(): Promise<number> {
  const c = new pg.Client(bareConfig);
  await c.connect();
  try {
    const { rows } = await c.query({
      text: "SELECT o_orderkey, o_totalprice FROM public.orders_synced WHERE o_orderkey = $1",
      values: [pick()],
    });
    if (rows.length !== 1) throw new Error("bare pg: no row");
    return clock();
  } finally {
    await c.end();
  }
}

type Probe = "byKey" | "list" | "bare pg";
const probes: Record<Probe, () => Promise<number>> = {
  byKey: () => firstRow(trpc("orders.byKey", { orderKey: pick() })),
  list: () => firstRow(trpc("orders.list", { page: 1, pageSize: 100, includeCount: false })),
  "bare pg": bare,
};
/**
 * One cold probe, in phases: `before` (request to the login reaching the compute: HTTP in, credentials, TCP
 * and TLS to the front door), `wake` (the local Lakebase starting the compute, its own count), `login` (the
 * compute up to the first login relayed: the server's authentication and session start), `after` (to the
 * first row: further logins, statements, HTTP out).
 */
interface Sample {
  total: number;
  wake: number;
  before: number;
  login: number;
  after: number;
}
const samples = new Map<Probe, Sample[]>((Object.keys(probes) as Probe[]).map((p) => [p, []]));
// Warm once each (JIT, the API's first statements and credentials), then the cycles.
for (const run of Object.values(probes)) await run();

log(
  `\ncold endpoint: ${CYCLES} cycles per probe, suspend after ${SUSPEND_AFTER_MS} ms, wake delay ${WAKE_DELAY_MS} ms, ` +
    `${ROWS.toLocaleString("en")} orders, node ${process.version}, load ${loadavg()}`,
);
const order = Object.keys(probes) as Probe[];
for (let cycle = 0; cycle < CYCLES; cycle++) {
  for (let i = 0; i < order.length; i++) {
    const probe = order[(i + cycle) % order.length]!;
    await idle();
    const wakesBefore = counters()?.wakes ?? 0;
    events.woken.length = 0;
    events.accepted.length = 0;
    const started = clock();
    const end = await probes[probe]();
    const c = counters();
    // A probe that did not wake the compute (it was still up) measures nothing here.
    if ((c?.wakes ?? 0) !== wakesBefore + 1 || events.woken.length !== 1 || events.accepted.length === 0)
      throw new Error(`cycle ${cycle} ${probe}: ${(c?.wakes ?? 0) - wakesBefore} wakes`);
    const wake = c?.lastWakeMs ?? 0;
    const woken = events.woken[0]!;
    const accepted = events.accepted[0]!;
    samples.get(probe)!.push({
      total: end - started,
      wake,
      before: woken - wake - started,
      login: accepted - woken,
      after: end - accepted,
    });
  }
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
};
const stats = (values: number[]) => [0.5, 0.95, 1].map((q) => quantile(values, q));
const ms = (v: number) => v.toFixed(0);
const triple = (values: number[]) => stats(values).map(ms).join(" / ");
const rows: string[][] = [];
const rest = (p: Probe) => samples.get(p)!.map((s) => s.total - s.wake);
for (const probe of order) {
  const s = samples.get(probe)!;
  rows.push([
    probe,
    triple(s.map((x) => x.total)),
    triple(s.map((x) => x.before)),
    triple(s.map((x) => x.wake)),
    triple(s.map((x) => x.login)),
    triple(s.map((x) => x.after)),
    triple(rest(probe)),
    probe === "bare pg"
      ? "-"
      : [0.5, 0.95].map((q) => ms(quantile(rest(probe), q) - quantile(rest("bare pg"), q))).join(" / "),
  ]);
}
log(
  formatTable(
    [
      ["probe", "to first row", "before", "wake", "login", "after", "all but the wake", "app adds p50 / p95"],
      ...rows,
    ],
    1,
  ),
);
log(
  "\nms, p50 / p95 / max per phase. before: request to the login reaching the compute (HTTP, credentials, TCP,\n" +
    "TLS); wake: the local Lakebase starting the compute (its count); login: compute up to the first login relayed;\n" +
    "after: to the first row (other logins, statements, HTTP out). app adds: all but the wake, minus bare pg's.",
);
const final = counters();
log(
  `wake delay configured ${WAKE_DELAY_MS} ms; ${final?.suspensions} suspensions, ${final?.wakes} wakes; load at end ${loadavg()}`,
);
await api.stop();
await local.stop();
