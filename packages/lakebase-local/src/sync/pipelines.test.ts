import type { WorkspaceClient } from "@databricks/sdk-experimental";
import type * as database from "@databricks/sdk-experimental/dist/apis/database/index.js";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAST,
  patchPermissions,
  rejectionOf,
  sdkFor,
  sdkForServicePrincipal,
  until,
} from "../../testing/index.ts";
import { type LakebaseLocal, startLakebaseLocal } from "../lakebase-local.ts";
import { runSourceCli } from "./source/cli.ts";

// Every pipeline transaction holds at most two source changes here, so a handful of changes spans batches.
const BATCH_ROWS = 2;
// Keys 1-100 are deleted from the source by the SNAPSHOT test; later tests change keys above them.
const ROWS = 2000;
const INSTANCE = "moves";
const CATALOG = "moves";
const SP = { clientId: "5e2f9c1a-0000-4000-8000-00000000b0b0", clientSecret: "sp-secret", admin: false };

let db: TestDatabase;
let local: LakebaseLocal;
let w: WorkspaceClient;
let physical: string;

beforeAll(async () => {
  db = await createTestDatabase("lbl_moves");
  local = await startLakebaseLocal({
    postgres: { adminUrl: db.adminUrl },
    timings: FAST,
    sourceRows: ROWS,
    syncBatchRows: BATCH_ROWS,
    servicePrincipals: [SP],
  });
  w = sdkFor(local);
  await w.database.createDatabaseInstance({ database_instance: { name: INSTANCE, capacity: "CU_1" } });
  await until(
    () => w.database.getDatabaseInstance({ name: INSTANCE }),
    (i) => i.state === "AVAILABLE",
  );
  await w.database.createDatabaseCatalog({
    catalog: {
      name: CATALOG,
      database_instance_name: INSTANCE,
      database_name: "orders",
      create_database_if_not_exists: true,
    },
  });
  physical = local.physicalDatabase(INSTANCE, "orders");
  // The source's database is created on first use: here, not inside the first test's time.
  await local.source.head();
});

afterAll(async () => {
  await local?.stop();
  await db?.drop();
});

type Spec = NonNullable<database.SyncedDatabaseTable["spec"]>;
type Status = Record<string, unknown> & {
  detailed_state: string;
  pipeline_id: string;
  message: string;
  last_sync?: {
    sync_start_timestamp: string;
    sync_end_timestamp: string;
    delta_table_sync_info: { delta_commit_timestamp: string; delta_commit_version: number };
  };
  triggered_update_status?: {
    last_processed_commit_version: number;
    timestamp: string;
    triggered_update_progress?: Record<string, number>;
  };
  continuous_update_status?: { last_processed_commit_version: number; timestamp: string };
  failed_status?: { last_processed_commit_version?: number; timestamp: string };
};

async function status(name: string, client = w): Promise<Status> {
  const table = await client.database.getSyncedDatabaseTable({ name });
  return table.data_synchronization_status as unknown as Status;
}

async function createSynced(
  name: string,
  policy: Spec["scheduling_policy"],
  extra: { extra_index_definitions?: { name: string; definition: string }[]; client?: WorkspaceClient } = {},
): Promise<Status> {
  const spec = {
    source_table_full_name: "samples.tpch.orders",
    primary_key_columns: ["o_orderkey"],
    scheduling_policy: policy,
    new_pipeline_spec: { storage_catalog: "main", storage_schema: "default" },
    // Not in the SDK 0.17 types yet (SDK-py v0.123.0 has it): sent as is.
    ...(extra.extra_index_definitions ? { extra_index_definitions: extra.extra_index_definitions } : {}),
  } as Spec;
  const client = extra.client ?? w;
  await client.database.createSyncedDatabaseTable({ synced_table: { name, spec } });
  const totals: number[] = [];
  const online = await until(
    () => status(name, client),
    (s) => {
      const initial = (
        s.provisioning_status as { initial_pipeline_sync_progress?: { total_row_count: number } }
      )?.initial_pipeline_sync_progress;
      if (s.detailed_state === "SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT" && initial) {
        totals.push(initial.total_row_count);
      }
      return s.detailed_state.startsWith("SYNCED_TABLE_ONLINE") || s.detailed_state.includes("FAILED");
    },
  );
  // The initial snapshot knows its size from its start (clients show "x of y rows").
  expect(totals.every((t) => t > 0)).toBe(true);
  // ONLINE can show a moment before the initial update has ended; until it has, another update is refused
  // ("An active update already exists", as the service answers): a TRIGGERED test starts from a quiet pipeline.
  const pipelineId = online.pipeline_id;
  if (policy === "TRIGGERED" && pipelineId) {
    await until(
      () => client.pipelines.listUpdates({ pipeline_id: pipelineId }),
      (r) => (r.updates ?? []).every((u) => ["COMPLETED", "FAILED", "CANCELED"].includes(u.state ?? "")),
    );
  }
  return online;
}

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const url = new URL(local.adminUrl);
  url.pathname = `/${physical}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A session through the instance's front door, as an app or a person logs in. */
async function login(user: string, password: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: local.pgHost,
    port: local.portOf(INSTANCE),
    user,
    password,
    database: "orders",
    application_name: `test ${user}`,
  });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

async function rowOf(table: string, key: number) {
  const rows = await query<{ o_orderstatus: string; o_totalprice: string; o_comment: string }>(
    `SELECT o_orderstatus, o_totalprice, o_comment FROM public.${table} WHERE o_orderkey = $1`,
    [key],
  );
  return rows[0];
}

async function count(table: string): Promise<number> {
  return Number((await query<{ n: string }>(`SELECT count(*) AS n FROM public.${table}`))[0]?.n);
}

/** Polls an update until it ends, collecting the states it went through. */
async function followUpdate(pipelineId: string, updateId: string | undefined): Promise<string[]> {
  if (!updateId) throw new Error("startUpdate answered no update_id");
  const states: string[] = [];
  await until(
    () => w.pipelines.getUpdate({ pipeline_id: pipelineId, update_id: updateId }),
    (r) => {
      const state = r.update?.state ?? "";
      if (states.at(-1) !== state) states.push(state);
      return ["COMPLETED", "FAILED", "CANCELED"].includes(state);
    },
  );
  return states;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("TRIGGERED synced tables", () => {
  it("apply the source's changes only when an update is requested through the Pipelines API, and the status moves", async () => {
    const online = await createSynced(`${CATALOG}.public.orders_triggered`, "TRIGGERED", {
      extra_index_definitions: [
        { name: "orders_triggered_by_date", definition: "(o_orderdate, o_orderkey)" },
      ],
    });
    const v0 = (await local.source.head()).version;
    expect(online.detailed_state).toBe("SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
    expect(online.triggered_update_status?.last_processed_commit_version).toBe(v0);
    expect(online.last_sync?.delta_table_sync_info.delta_commit_version).toBe(v0);
    // The pipeline's extra index exists once the data is loaded.
    expect(
      await query("SELECT indexdef FROM pg_indexes WHERE indexname = 'orders_triggered_by_date'"),
    ).toEqual([
      {
        indexdef:
          "CREATE INDEX orders_triggered_by_date ON public.orders_triggered USING btree (o_orderdate, o_orderkey)",
      },
    ]);
    const rows = await count("orders_triggered");

    const inserted = await local.source.insert({ count: 3, set: { o_orderstatus: "O" } });
    const updated = await local.source.update({
      keys: [1, 2],
      set: { o_orderstatus: "F", o_totalprice: "1.00" },
    });
    const deleted = await local.source.delete({ keys: [3] });
    expect([inserted.version, updated.version, deleted.version]).toEqual([v0 + 1, v0 + 2, v0 + 3]);

    // Nothing moves on its own.
    await sleep(200);
    expect(await count("orders_triggered")).toBe(rows);
    expect((await rowOf("orders_triggered", 1))?.o_totalprice).not.toBe("1.00");
    expect(
      (await status(`${CATALOG}.public.orders_triggered`)).triggered_update_status
        ?.last_processed_commit_version,
    ).toBe(v0);

    // Each of the update's three transactions waits before COMMIT, so its states can be watched.
    const pipelineId = online.pipeline_id;
    local.faults.slowPipeline(100, pipelineId);
    try {
      const before = await status(`${CATALOG}.public.orders_triggered`);
      const { update_id } = await w.pipelines.startUpdate({ pipeline_id: pipelineId });
      expect(update_id).toMatch(/^[0-9a-f-]{36}$/);
      const busy = await rejectionOf(w.pipelines.startUpdate({ pipeline_id: pipelineId }));
      expect([busy.statusCode, busy.errorCode]).toEqual([409, "RESOURCE_CONFLICT"]);

      const seen = new Set<string>();
      const progressVersions: number[] = [];
      const following = followUpdate(pipelineId, update_id);
      const watching = until(
        () => status(`${CATALOG}.public.orders_triggered`),
        (s) => {
          seen.add(s.detailed_state);
          const processing =
            s.triggered_update_status?.triggered_update_progress?.latest_version_currently_processing;
          if (processing !== undefined) progressVersions.push(processing);
          return (
            s.detailed_state === "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE" &&
            s.triggered_update_status?.last_processed_commit_version === deleted.version
          );
        },
      );
      const [states, after] = await Promise.all([following, watching]);
      expect(states.at(-1)).toBe("COMPLETED");
      expect(states).toContain("RUNNING");
      expect(seen).toContain("SYNCED_TABLE_ONLINE_TRIGGERED_UPDATE");
      expect(progressVersions.length).toBeGreaterThan(0);
      expect(progressVersions.every((v) => v > v0 && v <= deleted.version)).toBe(true);

      // The table now holds the source at the last version.
      expect(await count("orders_triggered")).toBe(rows + 3 - 1);
      expect(await rowOf("orders_triggered", 1)).toMatchObject({ o_orderstatus: "F", o_totalprice: "1.00" });
      expect(await rowOf("orders_triggered", 3)).toBeUndefined();
      // The status fields moved with it.
      expect(after.triggered_update_status?.last_processed_commit_version).toBe(deleted.version);
      expect(Date.parse(after.triggered_update_status?.timestamp ?? "")).toBeGreaterThan(
        Date.parse(before.triggered_update_status?.timestamp ?? ""),
      );
      expect(after.last_sync?.delta_table_sync_info).toEqual({
        delta_commit_version: deleted.version,
        delta_commit_timestamp: deleted.committed_at,
      });
      expect(Date.parse(after.last_sync?.sync_end_timestamp ?? "")).toBeGreaterThan(
        Date.parse(before.last_sync?.sync_end_timestamp ?? ""),
      );

      const pipeline = await w.pipelines.get({ pipeline_id: pipelineId });
      expect(pipeline.state).toBe("IDLE");
      expect(pipeline.latest_updates?.[0]).toMatchObject({ update_id, state: "COMPLETED" });
      const listed = await w.pipelines.listUpdates({ pipeline_id: pipelineId });
      // The initial snapshot, then this update.
      expect(listed.updates?.map((u) => u.state)).toEqual(["COMPLETED", "COMPLETED"]);
      expect(listed.updates?.[0]).toMatchObject({ update_id, cause: "API_CALL", full_refresh: false });
    } finally {
      local.faults.slowPipeline(0, pipelineId);
    }
    const missing = await rejectionOf(w.pipelines.startUpdate({ pipeline_id: "no-such-pipeline" }));
    expect([missing.statusCode, missing.errorCode]).toEqual([404, "RESOURCE_DOES_NOT_EXIST"]);
    const badSelection = await rejectionOf(
      w.pipelines.startUpdate({ pipeline_id: pipelineId, refresh_selection: ["moves.public.other"] }),
    );
    expect(badSelection.statusCode).toBe(400);
  });
});

describe("incremental batches", () => {
  it("apply a large commit in transactions of at most syncBatchRows changes: a reader can see part of it", async () => {
    const name = `${CATALOG}.public.orders_batches`;
    const { pipeline_id: pipelineId } = await createSynced(name, "TRIGGERED");
    const keys = [129, 130, 131, 132, 133];
    const commit = await local.source.update({ keys, set: { o_comment: "batched" } });
    expect(commit.rows).toBe(keys.length);
    // Three transactions (2 + 2 + 1 changes), each waiting before its COMMIT.
    local.faults.slowPipeline(350, pipelineId);
    try {
      const { update_id } = await w.pipelines.startUpdate({ pipeline_id: pipelineId });
      const changed = async () =>
        Number(
          (
            await query<{ n: string }>(
              "SELECT count(*) AS n FROM public.orders_batches WHERE o_comment = 'batched'",
            )
          )[0]?.n,
        );
      const partial = await until(changed, (n) => n > 0);
      const during = await status(name);
      expect(partial).toBeLessThan(keys.length);
      expect(partial % BATCH_ROWS).toBe(0);
      // The version is not processed while only part of it is in the table.
      expect(during.triggered_update_status?.last_processed_commit_version).toBeLessThan(commit.version);
      expect(during.triggered_update_status?.triggered_update_progress).toMatchObject({
        total_row_count: keys.length,
        latest_version_currently_processing: commit.version,
      });
      expect((await followUpdate(pipelineId, update_id)).at(-1)).toBe("COMPLETED");
      expect(await changed()).toBe(keys.length);
      expect((await status(name)).triggered_update_status?.last_processed_commit_version).toBe(
        commit.version,
      );
    } finally {
      local.faults.slowPipeline(0, pipelineId);
    }
  });
});

describe("CONTINUOUS synced tables", () => {
  it("apply the source's changes on their own within their interval, until the pipeline is stopped", async () => {
    const name = `${CATALOG}.public.orders_continuous`;
    const online = await createSynced(name, "CONTINUOUS");
    expect(online.detailed_state).toBe("SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE");
    const pipelineId = online.pipeline_id;
    expect((await w.pipelines.get({ pipeline_id: pipelineId })).state).toBe("RUNNING");

    const change = await local.source.update({ keys: [33], set: { o_comment: "continuously" } });
    const arrived = await until(
      () => rowOf("orders_continuous", 33),
      (row) => row?.o_comment === "continuously",
    );
    expect(arrived?.o_comment).toBe("continuously");
    const moved = await until(
      () => status(name),
      (s) => (s.continuous_update_status?.last_processed_commit_version ?? -1) >= change.version,
    );
    expect(moved.detailed_state).toBe("SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE");
    expect(moved.last_sync?.delta_table_sync_info.delta_commit_version).toBeGreaterThanOrEqual(
      change.version,
    );
    // Its one update runs for as long as the pipeline does: no second one.
    const busy = await rejectionOf(w.pipelines.startUpdate({ pipeline_id: pipelineId }));
    expect(busy.statusCode).toBe(409);

    // Stopped, it applies nothing; an update started through the API catches up and runs on.
    await w.pipelines.stop({ pipeline_id: pipelineId });
    expect((await w.pipelines.get({ pipeline_id: pipelineId })).state).toBe("IDLE");
    const later = await local.source.update({ keys: [34], set: { o_comment: "while stopped" } });
    await sleep(500);
    expect((await rowOf("orders_continuous", 34))?.o_comment).not.toBe("while stopped");
    await w.pipelines.startUpdate({ pipeline_id: pipelineId });
    await until(
      () => rowOf("orders_continuous", 34),
      (row) => row?.o_comment === "while stopped",
    );
    await until(
      () => status(name),
      (s) => (s.continuous_update_status?.last_processed_commit_version ?? -1) >= later.version,
    );
    // Quiet for the tests below: they count their own pipelines' work.
    await w.pipelines.stop({ pipeline_id: pipelineId });
  });
});

describe("SNAPSHOT synced tables", () => {
  it("replace the contents in one transaction that readers wait for, keeping every index", async () => {
    const name = `${CATALOG}.public.orders_snapshot`;
    const online = await createSynced(name, "SNAPSHOT", {
      extra_index_definitions: [
        { name: "orders_snapshot_by_price", definition: "USING btree (o_totalprice)" },
      ],
    });
    const pipelineId = online.pipeline_id;
    // The creating identity (the workspace admin here) is the table's manager: it may add an index.
    const manager = await login(local.identity, local.workspaceToken);
    const reader = await login(local.identity, local.workspaceToken);
    try {
      await manager.query("CREATE INDEX orders_snapshot_by_status ON public.orders_snapshot (o_orderstatus)");
      const identity = async () =>
        (
          await query<{ relfilenode: string }>(
            "SELECT relfilenode FROM pg_class WHERE relname = 'orders_snapshot'",
          )
        )[0]?.relfilenode;
      const fileBefore = await identity();
      const rowsBefore = await count("orders_snapshot");
      const deleted = await local.source.delete({ keyRange: { from: 1, to: 100 } });
      expect(deleted.rows).toBeGreaterThan(0);

      // The refresh's one transaction waits before COMMIT: long enough to watch a reader queue behind it.
      local.faults.slowPipeline(400, pipelineId);
      const { update_id } = await w.pipelines.startUpdate({ pipeline_id: pipelineId });
      await until(
        () =>
          query<{ granted: boolean }>(
            `SELECT l.granted FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE l.relation = 'public.orders_snapshot'::regclass AND l.mode = 'AccessExclusiveLock'
                AND a.application_name = $1`,
            [`lakebase-local pipeline ${pipelineId}`],
          ),
        (locks) => locks.some((l) => l.granted),
      );
      const impatient = await rejectionOf(
        (async () => {
          await reader.query("SET lock_timeout = '50ms'");
          return reader.query("SELECT count(*) FROM public.orders_snapshot");
        })(),
      );
      expect(impatient.code).toBe("55P03");
      await reader.query("RESET lock_timeout");
      const read = reader.query<{ n: string }>("SELECT count(*) AS n FROM public.orders_snapshot");
      const waiting = await until(
        () =>
          query<{ wait_event_type: string | null; state: string }>(
            "SELECT wait_event_type, state FROM pg_stat_activity WHERE application_name = $1",
            [`test ${local.identity}`],
          ),
        (rows) => rows.some((r) => r.wait_event_type === "Lock"),
      );
      expect(waiting.some((r) => r.wait_event_type === "Lock")).toBe(true);
      const after = Number((await read).rows[0]?.n);
      expect(await followUpdate(pipelineId, update_id)).toContain("COMPLETED");
      // The reader waited for the whole refresh and then saw only the new contents.
      expect(after).toBe(rowsBefore - deleted.rows);
      expect(await identity()).not.toBe(fileBefore);
      const indexes = (
        await query<{ indexname: string }>(
          "SELECT indexname FROM pg_indexes WHERE tablename = 'orders_snapshot' ORDER BY indexname",
        )
      ).map((r) => r.indexname);
      expect(indexes).toEqual([
        "orders_snapshot_by_price",
        "orders_snapshot_by_status",
        "orders_snapshot_pkey",
      ]);
      const s = await status(name);
      expect(s.detailed_state).toBe("SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
      expect(s.triggered_update_status?.last_processed_commit_version).toBe(deleted.version);
    } finally {
      local.faults.slowPipeline(0, pipelineId);
      await manager.end();
      await reader.end();
    }
  });
});

describe("ownership and index privileges", () => {
  it("gives the table to databricks_writer_<oid>; only its creator may index it, the app's service principal gets 42501", async () => {
    const ann = local.addUser("ann@example.com");
    const annSdk = sdkFor(local, ann);
    await patchPermissions(w, INSTANCE, [
      { user_name: "ann@example.com", permission_level: "CAN_MANAGE" },
      { service_principal_name: SP.clientId, permission_level: "CAN_USE" },
    ]);
    const name = `${CATALOG}.public.orders_ann`;
    expect((await createSynced(name, "SNAPSHOT", { client: annSdk })).detailed_state).toBe(
      "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE",
    );
    const [oid] = await query<{ oid: number }>(
      "SELECT oid FROM pg_database WHERE datname = current_database()",
    );
    const writer = `databricks_writer_${oid?.oid}`;
    expect(await query("SELECT tableowner FROM pg_tables WHERE tablename = 'orders_ann'")).toEqual([
      { tableowner: writer },
    ]);
    expect(await query("SELECT rolcanlogin FROM pg_roles WHERE rolname = $1", [writer])).toEqual([
      { rolcanlogin: false },
    ]);

    const annDb = await login("ann@example.com", ann);
    const spToken =
      (
        await sdkForServicePrincipal(local, SP).database.generateDatabaseCredential({
          instance_names: [INSTANCE],
          request_id: crypto.randomUUID(),
        })
      ).token ?? "";
    const spDb = await login(SP.clientId, spToken);
    try {
      expect(
        (
          await annDb.query(
            "SELECT schema_name, table_name, user_name FROM public.databricks_synced_table_managers WHERE table_name = 'orders_ann'",
          )
        ).rows,
      ).toEqual([{ schema_name: "public", table_name: "orders_ann", user_name: "ann@example.com" }]);
      // The manager may create and drop indexes, and nothing else writes.
      await annDb.query("CREATE INDEX orders_ann_by_date ON public.orders_ann (o_orderdate)");
      await annDb.query("DROP INDEX public.orders_ann_by_date");
      await annDb.query("CREATE INDEX orders_ann_by_price ON public.orders_ann (o_totalprice)");
      const write = await rejectionOf(annDb.query("DELETE FROM public.orders_ann WHERE o_orderkey = 1"));
      expect([write.code, write.message]).toEqual(["42501", "permission denied for table orders_ann"]);
      const act = await rejectionOf(annDb.query(`SET ROLE ${writer}`));
      expect([act.code, act.message]).toEqual(["42501", `permission denied to set role "${writer}"`]);

      // The app's service principal reads it and may do nothing else to it.
      expect(
        Number((await spDb.query("SELECT count(*) AS n FROM public.orders_ann")).rows[0]?.n),
      ).toBeGreaterThan(0);
      const index = await rejectionOf(
        spDb.query("CREATE INDEX orders_ann_by_status ON public.orders_ann (o_orderstatus)"),
      );
      expect([index.code, index.message]).toEqual(["42501", "must be owner of table orders_ann"]);
      const drop = await rejectionOf(spDb.query("DROP INDEX public.orders_ann_by_price"));
      expect([drop.code, drop.message]).toEqual(["42501", "must be owner of index orders_ann_by_price"]);
      const join = await rejectionOf(spDb.query(`GRANT ${writer} TO "${SP.clientId}"`));
      expect([join.code, join.message]).toEqual(["42501", `permission denied to grant role "${writer}"`]);
      // Nor can the manager hand the role on.
      const handOn = await rejectionOf(annDb.query(`GRANT ${writer} TO "${SP.clientId}"`));
      expect(handOn.code).toBe("42501");
    } finally {
      await annDb.end();
      await spDb.end();
    }
    // Deleting with purge_data drops the table and the manager's membership.
    await w.apiClient.request(
      {
        path: `/api/2.0/database/synced_tables/${name}`,
        method: "DELETE",
        headers: new Headers({ Accept: "application/json" }),
        raw: false,
        query: { purge_data: true },
      },
      undefined,
    );
    expect(await query("SELECT 1 FROM pg_tables WHERE tablename = 'orders_ann'")).toEqual([]);
    expect(
      await query(
        "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE r.rolname = $1 AND u.rolname = 'ann@example.com'",
        [writer],
      ),
    ).toEqual([]);
  });
});

describe("fault switches", () => {
  let name: string;
  let pipelineId: string;

  beforeAll(async () => {
    name = `${CATALOG}.public.orders_faults`;
    pipelineId = (await createSynced(name, "TRIGGERED")).pipeline_id;
  });

  it("fails the next update: ONLINE_PIPELINE_FAILED with failed_status, the table still served; the next one recovers", async () => {
    const change = await local.source.update({ keys: [161], set: { o_comment: "after a failure" } });
    const before = (await status(name)).triggered_update_status?.last_processed_commit_version;
    local.faults.failNextPipeline("injected: cluster lost", 1, pipelineId);
    const failedUpdate = await w.pipelines.startUpdate({ pipeline_id: pipelineId });
    expect((await followUpdate(pipelineId, failedUpdate.update_id)).at(-1)).toBe("FAILED");
    const failed = await status(name);
    expect(failed.detailed_state).toBe("SYNCED_TABLE_ONLINE_PIPELINE_FAILED");
    expect(failed.message).toMatch(/injected: cluster lost/);
    expect(failed.failed_status?.last_processed_commit_version).toBe(before);
    expect(Date.parse(failed.failed_status?.timestamp ?? "")).toBeGreaterThan(0);
    expect((await w.pipelines.get({ pipeline_id: pipelineId })).health).toBe("UNHEALTHY");
    expect(await count("orders_faults")).toBeGreaterThan(0);

    const retry = await w.pipelines.startUpdate({ pipeline_id: pipelineId });
    expect((await followUpdate(pipelineId, retry.update_id)).at(-1)).toBe("COMPLETED");
    expect((await rowOf("orders_faults", 161))?.o_comment).toBe("after a failure");
    const recovered = await status(name);
    expect(recovered.detailed_state).toBe("SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
    expect(recovered.triggered_update_status?.last_processed_commit_version).toBeGreaterThanOrEqual(
      change.version,
    );
    expect(recovered.failed_status).toBeUndefined();
  });

  it("drops the pipeline's connection mid-batch: the batch rolls back, the update fails, the next applies it", async () => {
    const change = await local.source.update({ keys: [162], set: { o_comment: "dropped once" } });
    local.faults.dropPipelineConnections(1, pipelineId);
    const dropped = await w.pipelines.startUpdate({ pipeline_id: pipelineId });
    expect((await followUpdate(pipelineId, dropped.update_id)).at(-1)).toBe("FAILED");
    expect((await status(name)).message).toMatch(/terminat/i);
    expect((await rowOf("orders_faults", 162))?.o_comment).not.toBe("dropped once");
    const again = await w.pipelines.startUpdate({ pipeline_id: pipelineId });
    expect((await followUpdate(pipelineId, again.update_id)).at(-1)).toBe("COMPLETED");
    expect((await rowOf("orders_faults", 162))?.o_comment).toBe("dropped once");
    expect(
      (await status(name)).triggered_update_status?.last_processed_commit_version,
    ).toBeGreaterThanOrEqual(change.version);
  });

  it("holds an ACCESS EXCLUSIVE lock on a synced table (REST and local.faults): readers wait for it", async () => {
    const headers = new Headers({ "Content-Type": "application/json" });
    await w.config.authenticate(headers);
    const response = await fetch(`${local.restUrl}/__local/faults`, {
      method: "POST",
      headers,
      body: JSON.stringify({ kind: "lockSyncedTable", syncedTable: name, ms: 1000 }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ held_ms: 1000 });
    const reader = await login(local.identity, local.workspaceToken);
    try {
      // Answered once held: a reader that will not wait is refused at once.
      await reader.query("SET lock_timeout = '50ms'");
      expect((await rejectionOf(reader.query("SELECT 1 FROM public.orders_faults LIMIT 1"))).code).toBe(
        "55P03",
      );
      await reader.query("RESET lock_timeout");
      const hold = await local.faults.holdSyncedTableLock(name, 200);
      await hold.released;
      expect((await reader.query("SELECT 1 AS one FROM public.orders_faults LIMIT 1")).rows).toEqual([
        { one: 1 },
      ]);
    } finally {
      await reader.end();
    }
    const unknown = await fetch(`${local.restUrl}/__local/faults`, {
      method: "POST",
      headers,
      body: JSON.stringify({ kind: "lockSyncedTable", syncedTable: "moves.public.nope", ms: 10 }),
    });
    expect(unknown.status).toBe(404);
  });
});

describe("the source hook", () => {
  it("changes the source over POST /__local/source for workspace admins only", async () => {
    const headers = new Headers({ "Content-Type": "application/json" });
    await w.config.authenticate(headers);
    const before = (await local.source.head()).version;
    const post = (body: unknown, h = headers) =>
      fetch(`${local.restUrl}/__local/source`, { method: "POST", headers: h, body: JSON.stringify(body) });
    const ok = await post({ op: "update", keys: [163, 164], set: { o_orderpriority: "1-URGENT" } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ version: before + 1, rows: 2 });
    const head = await fetch(`${local.restUrl}/__local/source`, { headers });
    expect(await head.json()).toMatchObject({ version: before + 1, base_rows: ROWS });
    const bad = await post({ op: "update", keys: [163], set: { o_orderkey: 1 } });
    expect(bad.status).toBe(400);
    const bob = local.addUser("bob@example.com");
    const refused = await post(
      { op: "delete", keys: [163] },
      new Headers({ Authorization: `Bearer ${bob}` }),
    );
    expect(refused.status).toBe(403);
    expect((await local.source.head()).version).toBe(before + 1);
  });

  it("changes the source from the command line (pnpm lakebase-local source ...)", async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const out = { stdout: (l: string) => lines.push(l), stderr: (l: string) => errors.push(l) };
    const env = { DATABRICKS_HOST: local.restUrl, DATABRICKS_TOKEN: local.workspaceToken };
    const before = (await local.source.head()).version;
    const update = [
      "update",
      "--range",
      "161-170",
      "--set",
      "o_comment=from the cli",
      "--set",
      "o_shippriority=2",
    ];
    expect(await runSourceCli(update, env, out)).toBe(0);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ version: before + 1, rows: 8 });
    expect(await runSourceCli(["insert", "--count", "2"], env, out)).toBe(0);
    expect(JSON.parse(lines[1] ?? "")).toMatchObject({ version: before + 2, rows: 2 });
    // Refused by the server (400) and refused locally (2), neither printing the token.
    expect(await runSourceCli(["update", "--keys", "161", "--set", "o_orderdate=yesterday"], env, out)).toBe(
      1,
    );
    expect(await runSourceCli(["truncate"], env, out)).toBe(2);
    expect(await runSourceCli(["head"], { DATABRICKS_HOST: local.restUrl }, out)).toBe(2);
    expect(errors.join("\n")).not.toContain(local.workspaceToken);
    expect(errors[0]).toMatch(/refused \(400\)/);
  });
});

describe("the seeded synced table's creator", () => {
  it("can be another identity than the workspace token's, which then reads the table and may not index it", async () => {
    const other = await startLakebaseLocal({
      postgres: { adminUrl: db.adminUrl },
      timings: FAST,
      sourceRows: 200,
      seed: {
        instanceName: "seeded",
        catalogName: "seeded",
        databaseName: "orders",
        syncedTable: "public.orders_synced",
        syncedTableCreator: "owner@example.com",
      },
    });
    const app = new pg.Client({
      host: other.pgHost,
      port: other.pgPort,
      user: other.identity,
      password: other.workspaceToken,
      database: "orders",
    });
    app.on("error", () => undefined);
    await app.connect();
    try {
      expect((await app.query("SELECT user_name FROM public.databricks_synced_table_managers")).rows).toEqual(
        [{ user_name: "owner@example.com" }],
      );
      expect(Number((await app.query("SELECT count(*) AS n FROM public.orders_synced")).rows[0]?.n)).toBe(
        200,
      );
      const index = await rejectionOf(app.query("CREATE INDEX ON public.orders_synced (o_orderdate)"));
      expect([index.code, index.message]).toEqual(["42501", "must be owner of table orders_synced"]);
    } finally {
      await app.end();
      await other.stop();
    }
  });
});
