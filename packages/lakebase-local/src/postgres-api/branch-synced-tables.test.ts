import type { WorkspaceClient } from "@databricks/sdk-experimental";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createOAuthRole,
  FAST,
  postgresCall,
  postgresMutate,
  rejectionOf,
  sdkFor,
  until,
} from "../../testing/index.ts";
import { type LakebaseLocal, startLakebaseLocal } from "../lakebase-local.ts";

// Synced tables on an Autoscaling branch move as on an instance: the sync module's pipelines on the branch's
// cluster (which scales to zero meanwhile), driven through the Pipelines API, owned like production.
const SUSPEND_AFTER_MS = 600;
const CATALOG = "mv_cat";
const SEEDED = `${CATALOG}.public.orders_synced`;

let db: TestDatabase;
let local: LakebaseLocal;
let w: WorkspaceClient;
let branch: string;

beforeAll(async () => {
  db = await createTestDatabase("lbl_branch_moves");
  local = await startLakebaseLocal({
    postgres: { adminUrl: db.adminUrl },
    timings: FAST,
    sourceRows: 300,
    syncBatchRows: 2,
    suspendAfterMs: SUSPEND_AFTER_MS,
    wakeDelayMs: 50,
    seed: {
      instanceName: "mv-it",
      catalogName: CATALOG,
      databaseName: "orders",
      syncedTable: "public.orders_synced",
      schedulingPolicy: "TRIGGERED",
    },
  });
  w = sdkFor(local);
  branch = local.branchName ?? "";
}, 60_000);

afterAll(async () => {
  await local?.stop();
  await db?.drop();
});

interface PostgresStatus {
  detailed_state: string;
  pipeline_id: string;
  project: string;
  last_processed_commit_version?: number;
  last_sync_time?: string;
  last_sync?: { sync_end_time: string; delta_table_sync_info: { delta_commit_version: number } };
}

async function status(name: string): Promise<PostgresStatus> {
  return (await postgresCall<{ status: PostgresStatus }>(w, "GET", `synced_tables/${name}`)).status;
}

/** A superuser session on the branch's database (wakes the compute only through the cluster, not a door). */
async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const url = new URL(await local.branchAdminUrl(branch));
  url.pathname = "/orders";
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function login(user: string, password: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: local.pgHost,
    port: local.endpointPort,
    user,
    password,
    database: "orders",
    ssl: { ca: local.caPem },
  });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

async function runUpdate(pipelineId: string, options: { full_refresh?: boolean } = {}): Promise<string> {
  const { update_id } = await w.pipelines.startUpdate({ pipeline_id: pipelineId, ...options });
  const done = await until(
    () => w.pipelines.getUpdate({ pipeline_id: pipelineId, update_id: update_id ?? "" }),
    (r) => ["COMPLETED", "FAILED", "CANCELED"].includes(r.update?.state ?? ""),
  );
  return done.update?.state ?? "";
}

async function createOnBranch(id: string, policy: "SNAPSHOT" | "CONTINUOUS"): Promise<PostgresStatus> {
  await postgresMutate(w, "POST", "synced_tables", {
    query: { synced_table_id: id },
    body: {
      spec: {
        branch,
        postgres_database: "orders",
        source_table_full_name: "samples.tpch.orders",
        primary_key_columns: ["o_orderkey"],
        scheduling_policy: policy,
        new_pipeline_spec: { storage_catalog: "main", storage_schema: "default" },
        extra_index_definitions: [{ name: `${id.split(".")[2]}_by_date`, definition: "(o_orderdate)" }],
      },
    },
  });
  const online = await until(
    () => status(id),
    (s) => s.detailed_state.startsWith("SYNCED_TABLE_ONLINE") || s.detailed_state.includes("FAILED"),
  );
  // ONLINE can show a moment before the initial update has ended; until it has, another update is refused
  // ("An active update already exists", as the service answers): a SNAPSHOT table is returned with a quiet
  // pipeline (as in sync/pipelines.test.ts; seen failing here under load).
  if (policy === "SNAPSHOT" && online.pipeline_id) {
    await until(
      () => w.pipelines.listUpdates({ pipeline_id: online.pipeline_id }),
      (r) => (r.updates ?? []).every((u) => ["COMPLETED", "FAILED", "CANCELED"].includes(u.state ?? "")),
    );
  }
  return online;
}

const endpointState = async () =>
  (await postgresCall<{ status: { current_state: string } }>(w, "GET", local.endpointName ?? "")).status
    .current_state;

describe("synced tables on a branch", () => {
  it("TRIGGERED: the source's changes arrive only with an update through the Pipelines API, which wakes the suspended compute", async () => {
    const online = await status(SEEDED);
    expect(online).toMatchObject({
      detailed_state: "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE",
      project: "projects/mv-it",
      last_processed_commit_version: 0,
    });
    const commit = await local.source.update({ keys: [1, 2], set: { o_orderstatus: "F" } });
    // Nothing moves on its own, and the idle compute goes to zero meanwhile.
    await until(endpointState, (s) => s === "IDLE", 10_000);
    expect((await status(SEEDED)).last_processed_commit_version).toBe(0);

    expect(await runUpdate(online.pipeline_id)).toBe("COMPLETED");
    const rows = await query<{ o_orderstatus: string }>(
      "SELECT o_orderstatus FROM public.orders_synced WHERE o_orderkey IN (1, 2)",
    );
    expect(rows).toEqual([{ o_orderstatus: "F" }, { o_orderstatus: "F" }]);
    const after = await status(SEEDED);
    expect(after).toMatchObject({
      detailed_state: "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE",
      last_processed_commit_version: commit.version,
      last_sync: { delta_table_sync_info: { delta_commit_version: commit.version } },
    });
    expect(after.last_sync_time).toBe(after.last_sync?.sync_end_time);
    // The same table through the database API (the project named as an instance).
    const seen = await w.database.getSyncedDatabaseTable({ name: SEEDED });
    expect(seen.data_synchronization_status).toMatchObject({
      detailed_state: "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE",
      triggered_update_status: { last_processed_commit_version: commit.version },
    });
  }, 60_000);

  it("CONTINUOUS applies changes on its own; SNAPSHOT replaces the contents per update; both build extra indexes", async () => {
    const continuous = `${CATALOG}.public.orders_cont`;
    const cont = await createOnBranch(continuous, "CONTINUOUS");
    expect(cont.detailed_state).toBe("SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE");
    const before = Number((await query<{ n: string }>("SELECT count(*) AS n FROM public.orders_cont"))[0]?.n);
    const inserted = await local.source.insert({ count: 3 });
    await until(
      async () => Number((await query<{ n: string }>("SELECT count(*) AS n FROM public.orders_cont"))[0]?.n),
      (n) => n === before + 3,
      10_000,
    );
    await until(
      () => status(continuous),
      (s) => s.last_processed_commit_version === inserted.version,
    );

    const snapshot = `${CATALOG}.public.orders_snap`;
    const snap = await createOnBranch(snapshot, "SNAPSHOT");
    expect(snap.detailed_state).toBe("SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
    const deleted = await local.source.delete({ keys: [3, 4, 5] });
    expect(deleted.rows).toBe(3);
    expect(await runUpdate(snap.pipeline_id)).toBe("COMPLETED");
    expect(await query("SELECT o_orderkey FROM public.orders_snap WHERE o_orderkey IN (3, 4, 5)")).toEqual(
      [],
    );
    expect((await status(snapshot)).last_processed_commit_version).toBe(deleted.version);
    const indexes = await query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE indexname IN ('orders_cont_by_date', 'orders_snap_by_date') ORDER BY 1",
    );
    expect(indexes.map((i) => i.indexname)).toEqual(["orders_cont_by_date", "orders_snap_by_date"]);

    // Deleting with purge_data stops the pipeline and drops the table.
    await w.pipelines.stop({ pipeline_id: cont.pipeline_id });
    await postgresMutate(w, "DELETE", `synced_tables/${continuous}`, { query: { purge_data: true } });
    expect(await query("SELECT 1 FROM pg_tables WHERE tablename = 'orders_cont'")).toEqual([]);
    expect((await rejectionOf(w.pipelines.get({ pipeline_id: cont.pipeline_id }))).statusCode).toBe(404);
  }, 60_000);

  it("owns the table like production: the writer role owns it, its creator manages it, a user may only read it", async () => {
    const [oid] = await query<{ oid: number }>(
      "SELECT oid FROM pg_database WHERE datname = current_database()",
    );
    const writer = `databricks_writer_${oid?.oid}`;
    expect(await query("SELECT tableowner FROM pg_tables WHERE tablename = 'orders_synced'")).toEqual([
      { tableowner: writer },
    ]);
    const bobToken = local.addUser("bob@example.com");
    await createOAuthRole(w, branch, "bob@example.com");
    const owner = await login(local.identity, local.workspaceToken);
    const bob = await login("bob@example.com", bobToken);
    try {
      expect(
        (await owner.query("SELECT user_name FROM public.databricks_synced_table_managers")).rows,
      ).toContainEqual({ user_name: local.identity });
      // The seeding identity created the table: it may index it.
      await owner.query("CREATE INDEX orders_synced_by_clerk ON public.orders_synced (o_clerk)");
      expect(
        Number((await bob.query("SELECT count(*) AS n FROM public.orders_synced")).rows[0]?.n),
      ).toBeGreaterThan(0);
      const index = await rejectionOf(
        bob.query("CREATE INDEX orders_synced_by_status ON public.orders_synced (o_orderstatus)"),
      );
      expect([index.code, index.message]).toEqual(["42501", "must be owner of table orders_synced"]);
    } finally {
      await owner.end();
      await bob.end();
    }
    // Starting an update needs CAN_MANAGE on the project.
    const refused = await rejectionOf(
      sdkFor(local, bobToken).pipelines.startUpdate({
        pipeline_id: (await status(SEEDED)).pipeline_id,
      }),
    );
    expect([refused.statusCode, refused.errorCode]).toEqual([403, "PERMISSION_DENIED"]);
  }, 60_000);
});
