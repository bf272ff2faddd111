// Figures for the Autoscaling emulation (not a test): branch creation time with a large table, at head and
// at a past time, and scale to zero (time to suspend, wake, first row after a suspension, failures across
// suspend/wake cycles). `pnpm --filter @lakebase-orders/lakebase-local exec tsx scripts/autoscaling-figures.ts
// [--rows 1500000] [--cycles 20] [--suspend-after-ms 500] [--wake-delay-ms 200]`
import { parseArgs } from "node:util";
import pg from "pg";
import { startLakebaseLocal } from "../src/index.ts";
import { postgresCall, postgresMutate, sdkFor } from "../testing/index.ts";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1500000" },
    cycles: { type: "string", default: "20" },
    "suspend-after-ms": { type: "string", default: "500" },
    "wake-delay-ms": { type: "string", default: "200" },
  },
});
const rows = Number(values.rows);
const cycles = Number(values.cycles);
const suspendAfterMs = Number(values["suspend-after-ms"]);
const wakeDelayMs = Number(values["wake-delay-ms"]);

const t0 = Date.now();
const local = await startLakebaseLocal({
  sourceRows: rows,
  suspendAfterMs,
  wakeDelayMs,
  timings: { instanceStartMs: 0, instanceDeleteMs: 0, pipelineStepMs: 0 },
  seed: {
    instanceName: "figures",
    catalogName: "figures_cat",
    databaseName: "orders",
    syncedTable: "public.orders_synced",
  },
});
const seeded = Date.now() - t0;
const w = sdkFor(local);
const project = local.projectName ?? "";

async function connect(port: number | undefined, password: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: local.pgHost,
    port,
    user: local.identity,
    password,
    database: "orders",
    ssl: { ca: local.caPem },
    connectionTimeoutMillis: 30_000,
  });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

const out: Record<string, string | number> = { rows, seededMs: seeded };
try {
  // Branches: at head, then at a past time (between two batches of updates), each a real copy.
  // (A connection each: the endpoint may suspend in between, which ends an idle session.)
  const update = async (comment: string) => {
    const writer = await connect(local.pgPort, local.workspaceToken);
    await writer.query("UPDATE public.orders_synced SET o_comment = $1 WHERE o_orderkey % 100 = 0", [
      comment,
    ]);
    await writer.end();
  };
  await update("first");
  await new Promise((r) => setTimeout(r, 500));
  const past = new Date();
  await new Promise((r) => setTimeout(r, 500));
  await update("second");
  for (const [id, spec] of [
    ["at-head", { no_expiry: true }],
    ["in-past", { no_expiry: true, source_branch_time: past.toISOString() }],
  ] as const) {
    const started = Date.now();
    await postgresMutate(w, "POST", `${project}/branches`, { query: { branch_id: id }, body: { spec } });
    out[`branch_${id}_ms`] = Date.now() - started;
    const { token } = await postgresCall<{ token: string }>(w, "POST", "credentials", {
      body: { endpoint: `${project}/branches/${id}/endpoints/primary` },
    });
    const c = await connect(local.portOf(`${project}/branches/${id}/endpoints/primary`), token);
    const r = await c.query<{ n: number; c: string }>(
      "SELECT count(*)::int AS n, min(o_comment) FILTER (WHERE o_orderkey % 100 = 0) AS c FROM public.orders_synced",
    );
    out[`branch_${id}_rows`] = r.rows[0]?.n ?? -1;
    out[`branch_${id}_sees`] = r.rows[0]?.c ?? "";
    await c.end();
    await postgresMutate(w, "DELETE", `${project}/branches/${id}`, { query: { purge: true } });
  }

  // Scale to zero: idle until suspended, then a new connection wakes it; repeated.
  const endpoint = local.endpointName ?? "";
  const state = async () =>
    (await postgresCall<{ status: { current_state: string } }>(w, "GET", endpoint)).status.current_state;
  const suspendTimes: number[] = [];
  const firstRows: number[] = [];
  let failed = 0;
  for (let i = 0; i < cycles; i++) {
    try {
      const started = Date.now();
      const c = await connect(local.pgPort, local.workspaceToken);
      await c.query("SELECT o_orderkey FROM public.orders_synced LIMIT 1");
      if (i > 0) firstRows.push(Date.now() - started);
      await c.end();
      const idleFrom = Date.now();
      while ((await state()) !== "IDLE") await new Promise((r) => setTimeout(r, 10));
      suspendTimes.push(Date.now() - idleFrom);
    } catch (error) {
      failed++;
      console.error(`cycle ${i}: ${(error as Error).message}`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? -1;
  const counters = local.counters().computes[endpoint];
  Object.assign(out, {
    suspendAfterMs,
    wakeDelayMs,
    cycles,
    suspensions: counters?.suspensions ?? -1,
    wakes: counters?.wakes ?? -1,
    idleToSuspendedMedianMs: median(suspendTimes),
    firstRowAfterSuspendMedianMs: median(firstRows),
    firstRowAfterSuspendMaxMs: Math.max(...firstRows),
    failedCycles: failed,
  });
} finally {
  await local.stop();
}
console.log(JSON.stringify(out, null, 2));
