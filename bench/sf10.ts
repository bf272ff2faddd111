/**
 * Scale factor 10 on the local Lakebase with production's ownership: 15 M orders in a synced table owned by
 * the pipeline's writer role and created by a workspace admin who is not the app, so the app reads it as its
 * service principal does on Databricks and may not index it (42501). First call and warm, for every sort and
 * filter of the list, the trend, counts and stats, in one run:
 * - before: the API at `--before` (default: where this branch left main), which tries to index the table,
 *   is refused, and scans;
 * - projection: the API at `--after` (default HEAD), which keeps its own indexed projection of the sort columns;
 * - pipeline indexes: that API on a second synced table created as the admin's create flow does, asking the
 *   pipeline for the sorts' indexes (extra_index_definitions), which the app then uses.
 * The local Lakebase and its tables are kept in /tmp/lakebase-orders-bench/lakebase-<rows> (BENCH_DATA_DIR);
 * the first run loads them (15 M rows: ~5 min per table on 2 cores).
 *
 * Usage: pnpm --filter @lakebase-orders/bench sf10 [--rows 15000000] [--before <git-ref>] [--warm 5]
 *          [--after <git-ref>] [--only before,projection,pipeline]
 */
import { execSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { WorkspaceClient } from "@databricks/sdk-experimental";
import { pipelineIndexes } from "@lakebase-orders/api/orders-sql";
import type { LakebaseLocal } from "@lakebase-orders/lakebase-local";
import pg from "pg";
import { type BenchApi, startApiFrom } from "./src/sf10/api.ts";
import { baselineTree } from "./src/sf10/baseline.ts";
import { CREATOR, NAMES, openLakebase } from "./src/sf10/lakebase.ts";
import { type Call, calls, formatTiming, type Timing, timeCall } from "./src/sf10/scenarios.ts";
import { formatTable } from "./src/table.ts";

const args = process.argv.slice(2).filter((a) => a !== "--");
const value = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const ROWS = Number(value("--rows") ?? 15_000_000);
const WARM = Number(value("--warm") ?? 5);
const ONLY = new Set((value("--only") ?? "before,projection,pipeline").split(","));
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BEFORE =
  value("--before") ?? execSync("git merge-base HEAD main", { cwd: root, encoding: "utf8" }).trim();
// The committed sources (not the working tree: a run takes the better part of an hour).
const AFTER = baselineTree(value("--after") ?? "HEAD");

const started = performance.now();
const log = (line: string) =>
  process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}\n`);
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

log(`load average at start: ${loadavg()} (${os.availableParallelism()} vCPUs)`);
const local = await openLakebase(ROWS, log);
const admin = new URL(local.adminUrl);
admin.pathname = `/${local.physicalDatabase(NAMES.instanceName, NAMES.databaseName)}`;
// The bench's own look at the database, as the cluster's superuser (never the app's way in).
const truth = new pg.Pool({ connectionString: admin.toString(), max: 2 });
truth.on("error", () => undefined);
const apis: BenchApi[] = [];
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void Promise.allSettled(apis.map((a) => a.stop()))
      .then(() => truth.end())
      .then(() => local.stop())
      .finally(() => process.exit(130));
  });
}

const fullName = (table: string) => `${NAMES.catalogName}.${table}`;
const envFor = (table: string): Record<string, string> => ({
  DATABRICKS_HOST: local.restUrl,
  // The workspace identity: a workspace admin, but not the synced tables' creator, so a plain reader in Postgres.
  DATABRICKS_TOKEN: local.workspaceToken,
  LAKEBASE_INSTANCE_NAME: NAMES.instanceName,
  LAKEBASE_CATALOG_NAME: NAMES.catalogName,
  LAKEBASE_DATABASE_NAME: NAMES.databaseName,
  LAKEBASE_SYNCED_TABLE: fullName(table),
  PGPORT: String(local.pgPort),
  PGSSLROOTCERT: local.caFile,
});

/** The synced table's mark as the API computes it (oid.relfilenode.writes). */
async function signature(table: string): Promise<string> {
  const { rows } = await truth.query<{ s: string }>(
    `SELECT c.oid::text || '.' || c.relfilenode::text || '.' ||
            (COALESCE(s.n_tup_ins, 0) + COALESCE(s.n_tup_upd, 0) + COALESCE(s.n_tup_del, 0))::text AS s
       FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = to_regclass($1)`,
    [table],
  );
  return rows[0]?.s ?? "";
}

async function stateSignature(stateTable: string, table: string): Promise<string | undefined> {
  return truth
    .query<{ signature: string }>(`SELECT signature FROM app_data.${stateTable} WHERE table_name = $1`, [
      fullName(table),
    ])
    .then((r) => r.rows[0]?.signature)
    .catch(() => undefined);
}

/**
 * Waits until the API's rollup (and projection, when asked) hold the table as it is now, then two of its
 * checks more (it loads what was built), then until it says its figures are fresh (only a fresh rollup steers
 * deep pages and filtered walks). The API is not asked before: before its rollup exists its stats scan the
 * table, and a bench that polled them would measure its own scans.
 */
async function settle(
  api: BenchApi,
  table: string,
  what: ("rollup" | "projection")[],
  timeoutMs = 3_600_000,
) {
  const t0 = performance.now();
  const reached = new Map<string, number>();
  for (;;) {
    const now = await signature(table);
    for (const w of what) {
      if (reached.has(w)) continue;
      const state = await stateSignature(w === "rollup" ? "order_rollup_state" : "order_keys_state", table);
      if (state === now) reached.set(w, performance.now() - t0);
    }
    if (reached.size === what.length) break;
    if (performance.now() - t0 > timeoutMs) throw new Error(`${table}: ${what.join(", ")} not settled`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  await new Promise((r) => setTimeout(r, 12_000));
  for (;;) {
    const fresh = await fetch(`${api.url}/api/trpc/orders.stats?input=%7B%7D`)
      .then((r) => r.json() as Promise<{ result?: { data?: { stale?: boolean } } }>)
      .then((r) => r.result?.data?.stale === false)
      .catch(() => false);
    if (fresh) return reached;
    if (performance.now() - t0 > timeoutMs) throw new Error(`${table}: the API's figures stay stale`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function measure(api: BenchApi, list: Call[], warmRuns: (first: Timing) => number) {
  const results = new Map<string, { first: Timing; warm: Timing | undefined }>();
  for (const c of list) {
    const first = await timeCall(api.url, c);
    const warm: Timing[] = [];
    for (let i = 0; i < warmRuns(first); i++) warm.push(await timeCall(api.url, c));
    warm.sort((a, b) => a.ms - b.ms);
    results.set(c.name, { first, warm: warm[Math.floor(warm.length / 2)] });
    log(`  ${c.name}: first ${formatTiming(first)}, warm ${formatTiming(results.get(c.name)!.warm)}`);
  }
  return results;
}

type Results = Awaited<ReturnType<typeof measure>>;
const columns: { name: string; results: Results }[] = [];
const notes: string[] = [];
const list = calls(ROWS);

try {
  // The app's own tables are dropped first: each variant starts as a new app on this database would.
  await truth.query("DROP SCHEMA IF EXISTS app_data CASCADE");
  const { rows: stray } = await truth.query<{ name: string }>(
    `SELECT i.relname AS name FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = 'public.orders_synced'::regclass AND NOT x.indisprimary`,
  );
  for (const r of stray) await truth.query(`DROP INDEX public.${pg.escapeIdentifier(r.name)}`);
  const size = await truth.query<{ table: string }>(
    "SELECT pg_size_pretty(pg_table_size('public.orders_synced')) AS table",
  );
  const owner = await truth.query<{ owner: string }>(
    "SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'public.orders_synced'::regclass",
  );
  log(
    `${ROWS.toLocaleString("en")} orders in public.orders_synced (${size.rows[0]?.table}), owned by ` +
      `${owner.rows[0]?.owner}, created by ${CREATOR}; the app logs in as ${local.identity}`,
  );

  if (ONLY.has("before")) {
    const tree = baselineTree(BEFORE);
    log(`before: the API at ${tree.sha} (${tree.dir})`);
    const t0 = performance.now();
    const api = await startApiFrom(tree.dir, envFor(NAMES.syncedTable));
    apis.push(api);
    const ready = performance.now() - t0;
    const reached = await settle(api, NAMES.syncedTable, ["rollup"]);
    const refused = api.logs.filter((l) => l.msg === "orders_index_unavailable").length;
    notes.push(
      `before: ready ${seconds(ready)}, rollup ${seconds(ready + (reached.get("rollup") ?? 0))} after start; ` +
        `${refused} index build(s) refused (42501), the sorts scan`,
    );
    log(notes.at(-1)!);
    columns.push({
      name: "before",
      results: await measure(api, list, (first) => (first.ms > 2000 ? 1 : WARM)),
    });
    await api.stop();
  }

  if (ONLY.has("projection")) {
    log(`projection: the API at ${AFTER.sha} on the same table`);
    const t0 = performance.now();
    const api = await startApiFrom(AFTER.dir, envFor(NAMES.syncedTable));
    apis.push(api);
    const ready = performance.now() - t0;
    const reached = await settle(api, NAMES.syncedTable, ["rollup", "projection"]);
    const choice = await api.waitForLog(
      (l) => l.msg === "orders_sort_keys" && l.source === "projection",
      60_000,
    );
    const built = api.logs.find((l) => l.msg === "orders_projection_built");
    notes.push(
      `projection: ready ${seconds(ready)}, rollup ${seconds(ready + (reached.get("rollup") ?? 0))}, ` +
        `projection ${seconds(ready + (reached.get("projection") ?? 0))} after start (build ${seconds(Number(built?.ms ?? 0))}); ` +
        `sort keys: ${String(choice?.source)} (${String(choice?.reason)})`,
    );
    log(notes.at(-1)!);
    columns.push({ name: "projection", results: await measure(api, list, () => WARM) });
    // What keeping it in step costs at this size: an incremental catch-up (the rows written since the last
    // one: a scan of the table) and a full comparison (after a refresh rewrote the table).
    for (const [kind, change] of [
      ["incremental", "signature = 'bench'"],
      ["full", "relation = 'bench', signature = 'bench'"],
    ] as const) {
      const before = api.logs.filter((l) => l.msg === "orders_projection_caught_up").length;
      await truth.query(`UPDATE app_data.order_keys_state SET ${change}`);
      const line = await api.waitForLog(
        (l) =>
          l.msg === "orders_projection_caught_up" &&
          api.logs.filter((x) => x.msg === "orders_projection_caught_up").indexOf(l) >= before,
        1_800_000,
      );
      notes.push(
        `projection ${kind} catch-up with no change to find: ${seconds(Number(line.ms))} (upserted ${String(line.upserted)}, deleted ${String(line.deleted)})`,
      );
      log(notes.at(-1)!);
    }
    await api.stop();
  }

  if (ONLY.has("pipeline")) {
    await ensureIndexedTable(local);
    log(`pipeline indexes: the API at ${AFTER.sha} on the table created with extra_index_definitions`);
    const t0 = performance.now();
    const api = await startApiFrom(AFTER.dir, envFor(NAMES.indexedTable));
    apis.push(api);
    const ready = performance.now() - t0;
    const reached = await settle(api, NAMES.indexedTable, ["rollup"]);
    const choice = await api.waitForLog((l) => l.msg === "orders_sort_keys" && l.source === "table", 60_000);
    notes.push(
      `pipeline indexes: ready ${seconds(ready)}, rollup ${seconds(ready + (reached.get("rollup") ?? 0))} after start; ` +
        `sort keys: ${String(choice?.source)} (${String(choice?.reason)})`,
    );
    log(notes.at(-1)!);
    columns.push({ name: "pipeline indexes", results: await measure(api, list, () => WARM) });
    await api.stop();
  }

  const header = ["first call / warm (median)", ...columns.flatMap((c) => [`${c.name} first`, "warm"])];
  const rows = list.map((c) => [
    c.name,
    ...columns.flatMap((col) => {
      const r = col.results.get(c.name);
      return [formatTiming(r?.first), formatTiming(r?.warm)];
    }),
  ]);
  process.stdout.write(
    `\nscale factor 10 on the local Lakebase: ${ROWS.toLocaleString("en")} orders, production's ownership ` +
      `(the app a reader), one API process, node ${process.version}\n\n${formatTable([header, ...rows])}\n\n` +
      `${notes.map((n) => `- ${n}`).join("\n")}\n- load average at end: ${loadavg()}\n`,
  );
} finally {
  await Promise.allSettled(apis.map((a) => a.stop()));
  await truth.end();
  await local.stop();
}

/** The second synced table, created as the admin's create flow creates it: with the pipeline's indexes. */
async function ensureIndexedTable(l: LakebaseLocal): Promise<void> {
  const name = fullName(NAMES.indexedTable);
  const creator = new WorkspaceClient({
    host: l.restUrl,
    token: l.addUser(CREATOR, { admin: true }),
    authType: "pat",
  });
  const existing = await creator.database.getSyncedDatabaseTable({ name }).catch(() => undefined);
  if (!existing) {
    log(
      `creating ${name} with extra_index_definitions (${ROWS.toLocaleString("en")} rows, then 5 indexes)...`,
    );
    const t0 = performance.now();
    await creator.database.createSyncedDatabaseTable({
      synced_table: {
        name,
        database_instance_name: NAMES.instanceName,
        logical_database_name: NAMES.databaseName,
        spec: {
          source_table_full_name: "samples.tpch.orders",
          primary_key_columns: ["o_orderkey"],
          scheduling_policy: "SNAPSHOT",
          new_pipeline_spec: { storage_catalog: NAMES.catalogName, storage_schema: "default" },
          ...{ extra_index_definitions: pipelineIndexes(name) },
        },
      },
    });
    await l.waitForPipeline(name);
    log(`created in ${seconds(performance.now() - t0)}`);
  }
  const state = (await creator.database.getSyncedDatabaseTable({ name })).data_synchronization_status;
  if (!state?.detailed_state?.startsWith("SYNCED_TABLE_ONLINE")) {
    throw new Error(`${name} is not online: ${state?.detailed_state} ${state?.message ?? ""}`);
  }
}
