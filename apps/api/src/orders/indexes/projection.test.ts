import { WorkspaceClient } from "@databricks/sdk-experimental";
import { httpClient, startTestServer, type TestServer } from "@lakebase-orders/api/testing";
import { type Env, LOCAL_ADMIN, loadConfig } from "@lakebase-orders/config";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import type { TRPCClient } from "@trpc/client";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../../routers/app-router.ts";
import type { OrderFilters, OrderSort } from "../schemas.ts";

// Production's privileges on the local Lakebase: the synced table belongs to the pipeline's writer role and
// was created by someone else (its manager); the app reads it and may not index it (42501). The app keeps its
// own indexed projection of the sort columns, pages answer exactly what SQL over the synced table says, and
// the projection follows the pipeline's updates (inserts, updates, deletes) and a full refresh.

const ROWS = 20_000;
const CREATOR = "table-creator@example.com";
const id = `proj${Math.random().toString(36).slice(2, 7)}`;
const names = {
  instanceName: `i-${id}`,
  catalogName: `c_${id}`,
  databaseName: `d_${id}`,
  syncedTable: "public.orders_synced",
};
let local: LakebaseLocal;
let server: TestServer;
let client: TRPCClient<AppRouter>;
let truthDb: pg.Pool;
let w: WorkspaceClient;
let pipelineId: string;

beforeAll(async () => {
  const adminUrl = process.env.PG_LOCAL_ADMIN_URL;
  local = await startLakebaseLocal({
    ...(adminUrl ? { postgres: { adminUrl } } : {}),
    timings: { instanceStartMs: 30, instanceDeleteMs: 20, pipelineStepMs: 30 },
    sourceRows: ROWS,
    seed: { ...names, schedulingPolicy: "TRIGGERED", syncedTableCreator: CREATOR },
  });
  w = new WorkspaceClient({ host: local.restUrl, token: local.workspaceToken, authType: "pat" });
  const synced = await w.database.getSyncedDatabaseTable({
    name: `${names.catalogName}.${names.syncedTable}`,
  });
  pipelineId = synced.data_synchronization_status?.pipeline_id ?? "";
  const url = new URL(local.adminUrl);
  url.pathname = `/${local.physicalDatabase(names.instanceName, names.databaseName)}`;
  truthDb = new pg.Pool({ connectionString: url.toString(), max: 2 });
  const env: Env = {
    DATABRICKS_HOST: local.restUrl,
    DATABRICKS_TOKEN: local.workspaceToken,
    LAKEBASE_INSTANCE_NAME: names.instanceName,
    LAKEBASE_CATALOG_NAME: names.catalogName,
    LAKEBASE_DATABASE_NAME: names.databaseName,
    PGPORT: String(local.pgPort),
    PGSSLROOTCERT: local.caFile,
    LOCAL_IDENTITY: LOCAL_ADMIN,
    APP_ADMINS: LOCAL_ADMIN,
    ORDERS_ROLLUP_CHECK_SECONDS: "1",
    ORDERS_ROLLUP_MIN_REBUILD_SECONDS: "0",
  };
  server = await startTestServer(loadConfig(env), { until: "ready" });
  client = httpClient(server.url);
  await settled();
}, 180_000);

afterAll(async () => {
  await server?.close();
  await truthDb?.end();
  await local?.stop();
});

async function until<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * The projection caught up with the table and the rollup rebuilt for it: the app's counts of every status equal
 * SQL's (a check may run before the pipeline's write counters reach the statistics, so "not stale" alone is
 * not enough).
 */
async function settled(): Promise<void> {
  const sql = async () =>
    (
      await truthDb.query<{ status: string; n: string }>(
        `SELECT COALESCE(s.status, o.o_orderstatus) AS status, count(*)::text AS n
           FROM public.orders_synced o LEFT JOIN app_data.order_status s ON s.order_key = o.o_orderkey GROUP BY 1`,
      )
    ).rows.reduce<Record<string, number>>((m, r) => Object.assign(m, { [r.status]: Number(r.n) }), {});
  await until(
    async () => ({
      keys: server.services.orders.sortKeys(),
      stats: await client.orders.stats.query(),
      sql: await sql(),
    }),
    (s) =>
      s.keys.source === "projection" &&
      s.keys.current &&
      !s.stats.stale &&
      s.stats.byStatus.every((b) => s.sql[b.status] === b.count) &&
      Object.keys(s.sql).length === s.stats.byStatus.length,
  );
}

const SORT_SQL: Record<OrderSort, string> = {
  orderKey: "o.o_orderkey",
  "-orderKey": "o.o_orderkey DESC",
  orderDate: "o.o_orderdate, o.o_orderkey",
  "-orderDate": "o.o_orderdate DESC, o.o_orderkey DESC",
  totalPrice: "o.o_totalprice, o.o_orderkey",
  "-totalPrice": "o.o_totalprice DESC, o.o_orderkey DESC",
};

async function truth(f: OrderFilters, sort: OrderSort): Promise<number[]> {
  const { rows } = await truthDb.query<{ k: string }>(
    `SELECT o.o_orderkey AS k
       FROM public.orders_synced o LEFT JOIN app_data.order_status s ON s.order_key = o.o_orderkey
      WHERE ($1::text IS NULL OR COALESCE(s.status, o.o_orderstatus) = $1)
        AND ($2::text IS NULL OR o.o_orderpriority = $2)
        AND ($3::date IS NULL OR o.o_orderdate >= $3)
      ORDER BY ${SORT_SQL[sort]}`,
    [f.status ?? null, f.priority ?? null, f.dateFrom ?? null],
  );
  return rows.map((r) => Number(r.k));
}

const FILTERS: OrderFilters[] = [{}, { status: "P" }, { priority: "1-URGENT", dateFrom: "1996-01-01" }];

async function pagesMatchSql(label: string): Promise<void> {
  for (const filters of FILTERS) {
    for (const sort of Object.keys(SORT_SQL) as OrderSort[]) {
      const expected = await truth(filters, sort);
      const pageSize = 100;
      const last = Math.max(1, Math.ceil(expected.length / pageSize));
      for (const page of [...new Set([1, 2, Math.ceil(last / 2), last])]) {
        const r = await client.orders.list.query({
          ...filters,
          sort,
          page,
          pageSize,
          includeCount: page === 1,
        });
        expect(
          r.orders.map((o) => o.orderKey),
          `${label}: ${JSON.stringify(filters)} ${sort} page ${page}`,
        ).toEqual(expected.slice((page - 1) * pageSize, page * pageSize));
        if (page === 1) expect(r.pagination.totalCount).toBe(expected.length);
      }
    }
  }
}

async function runUpdate(fullRefresh: boolean): Promise<void> {
  const { update_id } = await w.pipelines.startUpdate({ pipeline_id: pipelineId, full_refresh: fullRefresh });
  await until(
    () => w.pipelines.getUpdate({ pipeline_id: pipelineId, update_id: update_id! }),
    (r) => ["COMPLETED", "FAILED", "CANCELED"].includes(r.update?.state ?? ""),
  );
}

const logged = (msg: string) =>
  server.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);

describe("the app's projection of the sort keys, with production's ownership", () => {
  it("is what the app chooses when it may not index the synced table, and says so", async () => {
    expect(server.services.orders.sortKeys()).toMatchObject({ source: "projection", current: true });
    expect(logged("orders_sort_keys").at(-1)).toMatchObject({
      source: "projection",
      keysTable: '"app_data"."order_keys"',
      reason: expect.stringContaining("may not index the synced table"),
    });
    // The statements the table's creator could run once, for the project owner.
    expect(logged("orders_index_unavailable").map((l) => l.remedy)).toHaveLength(5);
    const { rows } = await truthDb.query(
      `SELECT 1 FROM pg_index WHERE indrelid = 'public.orders_synced'::regclass AND NOT indisprimary`,
    );
    expect(rows).toEqual([]);
    expect(logged("orders_projection_built")).toHaveLength(1);
  });

  it("answers every sort and filter like SQL, at every depth", async () => {
    await pagesMatchSql("after the build");
  }, 120_000);

  it("follows a pipeline update's inserts, updates and deletes", async () => {
    // The most expensive orders become the cheapest and the reverse; new urgent orders; a range deleted.
    await local.source.update({ keyRange: { from: 1, to: 400 }, set: { o_totalprice: "0.50" } });
    await local.source.update({ keyRange: { from: 401, to: 600 }, set: { o_totalprice: "999999.99" } });
    await local.source.insert({ count: 120, set: { o_orderpriority: "1-URGENT" } });
    await local.source.delete({ keyRange: { from: 3000, to: 3400 } });
    await runUpdate(false);
    await settled();
    const catchUp = logged("orders_projection_caught_up").at(-1);
    expect(catchUp).toMatchObject({ full: false });
    expect(Number(catchUp?.deleted)).toBeGreaterThan(0);
    await pagesMatchSql("after an incremental update");
  }, 120_000);

  it("follows a full refresh that rewrote the table", async () => {
    await local.source.update({ keyRange: { from: 601, to: 700 }, set: { o_orderstatus: "P" } });
    const caughtUp = logged("orders_projection_caught_up").length;
    await runUpdate(true);
    await until(
      async () => logged("orders_projection_caught_up").slice(caughtUp),
      (lines) => lines.some((l) => l.full === true),
    );
    await settled();
    await pagesMatchSql("after a full refresh");
  }, 120_000);
});
