import { ApiError, type WorkspaceClient } from "@databricks/sdk-experimental";
import type * as database from "@databricks/sdk-experimental/dist/apis/database/index.js";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAST,
  patchInstance,
  rejectionOf,
  sdkFor,
  sdkForServicePrincipal,
  until,
} from "../../testing/index.ts";
import { type LakebaseLocal, startLakebaseLocal } from "../lakebase-local.ts";

type SyncedSpec = NonNullable<database.SyncedDatabaseTable["spec"]>;

const ROWS = 3000;
const SP = { clientId: "6f1b2c3d-0000-4000-8000-0000000000aa", clientSecret: "sp-secret" };

let db: TestDatabase;
let local: LakebaseLocal;
let w: WorkspaceClient;

beforeAll(async () => {
  db = await createTestDatabase("lbl_rest");
  local = await startLakebaseLocal({
    postgres: { adminUrl: db.adminUrl },
    timings: FAST,
    sourceRows: ROWS,
    tokenTtlSeconds: 120,
    servicePrincipals: [SP],
  });
  w = sdkFor(local);
});

afterAll(async () => {
  await local?.stop();
  await db?.drop();
});

async function createAvailable(name: string, extra: Partial<database.DatabaseInstance> = {}) {
  await w.database.createDatabaseInstance({ database_instance: { name, capacity: "CU_1", ...extra } });
  return until(
    () => w.database.getDatabaseInstance({ name }),
    (i) => i.state === "AVAILABLE",
  );
}

async function rows<T extends pg.QueryResultRow>(sql: string, database: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: urlFor(database) });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function count(sql: string, database: string): Promise<number> {
  const client = new pg.Client({ connectionString: urlFor(database) });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>(sql)).rows[0]?.n);
  } finally {
    await client.end();
  }
}

function urlFor(database: string): string {
  const url = new URL(local.adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

describe("auth and identity", () => {
  it("answers Me for the workspace token and 401 UNAUTHENTICATED for anything else", async () => {
    const me = await w.currentUser.me();
    expect(me.userName).toBe(local.identity);
    expect(me.emails?.[0]?.value).toBe(local.identity);
    const error = await rejectionOf(sdkFor(local, "not-a-token").currentUser.me());
    expect(error).toBeInstanceOf(ApiError);
    expect(error.statusCode).toBe(401);
    expect(error.errorCode).toBe("UNAUTHENTICATED");
  });

  it("runs the OAuth M2M flow for a service principal (the SDK's oauth-m2m auth)", async () => {
    const sp = sdkForServicePrincipal(local, SP);
    expect((await sp.currentUser.me()).userName).toBe(SP.clientId);
    const wrong = sdkForServicePrincipal(local, { clientId: SP.clientId, clientSecret: "wrong" });
    expect((await rejectionOf(wrong.currentUser.me())).message).toMatch(/invalid_client/);
  });
});

describe("database instances", () => {
  it("walks STARTING -> AVAILABLE -> STOPPED -> STARTING -> AVAILABLE -> DELETING -> gone", async () => {
    const created = await w.database.createDatabaseInstance({
      database_instance: {
        name: "inst-life",
        capacity: "CU_1",
        enable_readable_secondaries: true,
        node_count: 2,
      },
    });
    expect(created.state).toBe("STARTING");
    expect(created.read_write_dns).toBe("127.0.0.1");
    expect(created.read_only_dns).toBe("127.0.0.1");
    expect(created.pg_version).toBe("PG_VERSION_16");
    expect(created.creator).toBe(local.identity);
    expect(created.uid).toMatch(/^[0-9a-f-]{36}$/);
    const port = (created as { x_local_pg_port?: number }).x_local_pg_port;
    expect(port).toBe(local.portOf("inst-life"));
    // The SDK's own waiter polls until AVAILABLE.
    const available = await created.wait({ timeout: undefined });
    expect(available.state).toBe("AVAILABLE");

    const stopped = await patchInstance(w, "inst-life", "stopped", { stopped: true });
    expect(stopped.status).toBe(200);
    expect(stopped.json.state).toBe("STOPPED");
    expect((await w.database.getDatabaseInstance({ name: "inst-life" })).effective_stopped).toBe(true);
    const starting = await patchInstance(w, "inst-life", "stopped", { stopped: false });
    expect(starting.json.state).toBe("STARTING");
    await until(
      () => w.database.getDatabaseInstance({ name: "inst-life" }),
      (i) => i.state === "AVAILABLE",
    );

    const resized = await patchInstance(w, "inst-life", "capacity", { capacity: "CU_2" });
    expect(resized.json.capacity).toBe("CU_2");
    expect(resized.json.effective_capacity).toBe("CU_2");
    const badCapacity = await patchInstance(w, "inst-life", "capacity", { capacity: "CU_3" });
    expect([badCapacity.status, badCapacity.json.error_code]).toEqual([400, "INVALID_PARAMETER_VALUE"]);
    const badMask = await patchInstance(w, "inst-life", "pg_version", { pg_version: "PG_VERSION_17" });
    expect([badMask.status, badMask.json.error_code]).toEqual([400, "INVALID_PARAMETER_VALUE"]);

    const purgeFalse = await rejectionOf(
      w.database.deleteDatabaseInstance({ name: "inst-life", purge: false }),
    );
    expect([purgeFalse.statusCode, purgeFalse.errorCode]).toEqual([400, "INVALID_PARAMETER_VALUE"]);
    await w.database.deleteDatabaseInstance({ name: "inst-life", purge: true });
    const gone = await until(
      () =>
        w.database.getDatabaseInstance({ name: "inst-life" }).then(
          (i) => i.state as string,
          (e: ApiError) => e.errorCode,
        ),
      (s) => s !== "DELETING",
    );
    expect(gone).toBe("RESOURCE_DOES_NOT_EXIST");

    // Recreating the name gets the same front-door port.
    const again = await w.database.createDatabaseInstance({
      database_instance: { name: "inst-life", capacity: "CU_1" },
    });
    expect((again as { x_local_pg_port?: number }).x_local_pg_port).toBe(port);
    await w.database.deleteDatabaseInstance({ name: "inst-life" });
  });

  it("rejects bad names (400), duplicates (409) and unknown names (404)", async () => {
    for (const name of ["Upper", "1starts-with-digit", "under_score", "x".repeat(64), ""]) {
      const error = await rejectionOf(
        w.database.createDatabaseInstance({ database_instance: { name, capacity: "CU_1" } }),
      );
      expect([name, error.statusCode, error.errorCode]).toEqual([name, 400, "INVALID_PARAMETER_VALUE"]);
    }
    await w.database.createDatabaseInstance({ database_instance: { name: "inst-dup", capacity: "CU_1" } });
    const dup = await rejectionOf(
      w.database.createDatabaseInstance({ database_instance: { name: "inst-dup" } }),
    );
    expect([dup.statusCode, dup.errorCode]).toEqual([409, "RESOURCE_ALREADY_EXISTS"]);
    const missing = await rejectionOf(w.database.getDatabaseInstance({ name: "inst-missing" }));
    expect([missing.statusCode, missing.errorCode]).toEqual([404, "RESOURCE_DOES_NOT_EXIST"]);
    const missingDelete = await rejectionOf(w.database.deleteDatabaseInstance({ name: "inst-missing" }));
    expect(missingDelete.statusCode).toBe(404);
  });

  it("lists every instance across pages", async () => {
    const names = ["page-a", "page-b", "page-c"];
    for (const name of names) {
      await w.database.createDatabaseInstance({
        database_instance: { name, capacity: "CU_1", stopped: true },
      });
    }
    const before = local.counters().routes["GET /api/2.0/database/instances"] ?? 0;
    const seen: string[] = [];
    for await (const instance of w.database.listDatabaseInstances({ page_size: 1 })) seen.push(instance.name);
    for (const name of names) expect(seen).toContain(name);
    const calls = (local.counters().routes["GET /api/2.0/database/instances"] ?? 0) - before;
    expect(calls).toBe(seen.length);
  });

  it("retries an injected 429 through the SDK and surfaces an injected 503 as ApiError", async () => {
    await createAvailable("inst-faults");
    const route = { method: "GET", path: "/api/2.0/database/instances/*" };
    const key = "GET /api/2.0/database/instances/:name";
    const before = local.counters().routes[key] ?? 0;
    local.faults.failNext(route, 429, 1);
    expect((await w.database.getDatabaseInstance({ name: "inst-faults" })).name).toBe("inst-faults");
    expect((local.counters().routes[key] ?? 0) - before).toBe(2);

    local.faults.failNext(route, 503, 1);
    const error = await rejectionOf(w.database.getDatabaseInstance({ name: "inst-faults" }));
    expect(error).toBeInstanceOf(ApiError);
    expect([error.statusCode, error.errorCode]).toEqual([503, "TEMPORARILY_UNAVAILABLE"]);
    expect((await w.database.getDatabaseInstance({ name: "inst-faults" })).state).toBe("AVAILABLE");

    // The same through the out-of-process fault API.
    const headers = new Headers({ "Content-Type": "application/json" });
    await w.config.authenticate(headers);
    const response = await fetch(`${local.restUrl}/__local/faults`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        kind: "fail",
        method: "POST",
        path: "/api/2.0/database/credentials",
        status: 503,
      }),
    });
    expect(response.status).toBe(200);
    const viaHttp = await rejectionOf(
      w.database.generateDatabaseCredential({ instance_names: ["inst-faults"] }),
    );
    expect(viaHttp.statusCode).toBe(503);
  });
});

describe("credentials", () => {
  it("issues many valid tokens with the configured lifetime, for existing instances only", async () => {
    await createAvailable("inst-cred");
    const issuedBefore = local.counters().tokensIssued;
    const a = await w.database.generateDatabaseCredential({
      instance_names: ["inst-cred"],
      request_id: "r1",
    });
    const b = await w.database.generateDatabaseCredential({
      instance_names: ["inst-cred"],
      request_id: "r2",
    });
    expect(a.token).toBeTruthy();
    expect(a.token).not.toBe(b.token);
    const ttl = (Date.parse(a.expiration_time ?? "") - Date.now()) / 1000;
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
    expect(local.counters().tokensIssued - issuedBefore).toBe(2);
    const missing = await rejectionOf(
      w.database.generateDatabaseCredential({ instance_names: ["inst-nope"] }),
    );
    expect([missing.statusCode, missing.errorCode]).toEqual([404, "RESOURCE_DOES_NOT_EXIST"]);
  });

  it("issues no Autoscaling credential for an instance: an endpoint must exist (404 NOT_FOUND)", async () => {
    await createAvailable("inst-auto");
    const request = (endpoint: string) =>
      w.apiClient.request(
        {
          path: "/api/2.0/postgres/credentials",
          method: "POST",
          headers: new Headers({ "Content-Type": "application/json", Accept: "application/json" }),
          raw: false,
          query: {},
          payload: { endpoint },
        },
        undefined,
      ) as Promise<{ token: string; expire_time: string }>;
    for (const endpoint of ["projects/p1/branches/main/endpoints/inst-auto", "inst-auto"]) {
      const error = await rejectionOf(request(endpoint));
      expect([endpoint, error.statusCode, error.errorCode]).toEqual([endpoint, 404, "NOT_FOUND"]);
    }
  });
});

describe("database catalogs", () => {
  it("creates (with or without the database), gets, refuses duplicates, deletes", async () => {
    await createAvailable("inst-cat");
    const noInstance = await rejectionOf(
      w.database.createDatabaseCatalog({
        catalog: { name: "cat_x", database_instance_name: "inst-none", database_name: "d" },
      }),
    );
    expect(noInstance.statusCode).toBe(404);
    const noDatabase = await rejectionOf(
      w.database.createDatabaseCatalog({
        catalog: { name: "cat_a", database_instance_name: "inst-cat", database_name: "appdb" },
      }),
    );
    expect([noDatabase.statusCode, noDatabase.errorCode]).toEqual([404, "RESOURCE_DOES_NOT_EXIST"]);
    const created = await w.database.createDatabaseCatalog({
      catalog: {
        name: "cat_a",
        database_instance_name: "inst-cat",
        database_name: "appdb",
        create_database_if_not_exists: true,
      },
    });
    expect(created.uid).toBeTruthy();
    expect(
      await count(
        `SELECT count(*) AS n FROM pg_database WHERE datname = '${local.physicalDatabase("inst-cat", "appdb")}'`,
        "postgres",
      ),
    ).toBe(1);
    // The default database exists without being asked for.
    const onDefault = await w.database.createDatabaseCatalog({
      catalog: { name: "cat_b", database_instance_name: "inst-cat", database_name: "databricks_postgres" },
    });
    expect(onDefault.database_name).toBe("databricks_postgres");
    const dup = await rejectionOf(
      w.database.createDatabaseCatalog({
        catalog: { name: "cat_a", database_instance_name: "inst-cat", database_name: "appdb" },
      }),
    );
    expect([dup.statusCode, dup.errorCode]).toEqual([409, "RESOURCE_ALREADY_EXISTS"]);
    expect((await w.database.getDatabaseCatalog({ name: "cat_a" })).database_instance_name).toBe("inst-cat");
    const update = await rejectionOf(
      w.database.updateDatabaseCatalog({
        name: "cat_a",
        database_catalog: { name: "cat_a", database_instance_name: "inst-cat", database_name: "appdb" },
        update_mask: "database_name",
      }),
    );
    expect([update.statusCode, update.errorCode]).toEqual([501, "NOT_IMPLEMENTED"]);
    await w.database.deleteDatabaseCatalog({ name: "cat_a" });
    expect((await rejectionOf(w.database.getDatabaseCatalog({ name: "cat_a" }))).statusCode).toBe(404);
    expect((await rejectionOf(w.database.deleteDatabaseCatalog({ name: "cat_a" }))).statusCode).toBe(404);
  });

  it("refuses a catalog on an instance that is not AVAILABLE", async () => {
    await w.database.createDatabaseInstance({
      database_instance: { name: "inst-cat-stopped", stopped: true },
    });
    const error = await rejectionOf(
      w.database.createDatabaseCatalog({
        catalog: {
          name: "cat_s",
          database_instance_name: "inst-cat-stopped",
          database_name: "databricks_postgres",
        },
      }),
    );
    expect(error.statusCode).toBe(400);
  });
});

describe("synced tables", () => {
  const spec = (over: Partial<SyncedSpec> = {}): SyncedSpec => ({
    source_table_full_name: "samples.tpch.orders",
    primary_key_columns: ["o_orderkey"],
    scheduling_policy: "SNAPSHOT",
    new_pipeline_spec: { storage_catalog: "main", storage_schema: "default" },
    ...over,
  });

  beforeAll(async () => {
    await createAvailable("inst-sync");
    await w.database.createDatabaseCatalog({
      catalog: {
        name: "sync_cat",
        database_instance_name: "inst-sync",
        database_name: "orders",
        create_database_if_not_exists: true,
      },
    });
  });

  it("validates the spec", async () => {
    const create = (name: string, s: SyncedSpec) =>
      rejectionOf(w.database.createSyncedDatabaseTable({ synced_table: { name, spec: s } }));
    const source = await create("sync_cat.public.bad", spec({ source_table_full_name: "samples.tpch.nope" }));
    expect([source.statusCode, source.errorCode]).toEqual([404, "RESOURCE_DOES_NOT_EXIST"]);
    const noPk = await create("sync_cat.public.bad", spec({ primary_key_columns: [] }));
    expect([noPk.statusCode, noPk.errorCode]).toEqual([400, "INVALID_PARAMETER_VALUE"]);
    const badPk = await create("sync_cat.public.bad", spec({ primary_key_columns: ["nope"] }));
    expect(badPk.statusCode).toBe(400);
    const policy = await create("sync_cat.public.bad", spec({ scheduling_policy: "HOURLY" as "SNAPSHOT" }));
    expect(policy.statusCode).toBe(400);
    const storage = await create("sync_cat.public.bad", spec({ new_pipeline_spec: {} }));
    expect(storage.statusCode).toBe(400);
    const noCatalog = await create("nocat.public.bad", spec());
    expect(noCatalog.statusCode).toBe(404);
    const badName = await create("just_a_name", spec());
    expect(badName.statusCode).toBe(400);
  });

  it("runs the pipeline through its states to ONLINE with the rows loaded, read-only", async () => {
    const name = "sync_cat.public.orders_synced";
    const created = await w.database.createSyncedDatabaseTable({ synced_table: { name, spec: spec() } });
    expect(created.data_synchronization_status?.detailed_state).toBe("SYNCED_TABLE_PROVISIONING");
    expect(created.unity_catalog_provisioning_state).toBe("PROVISIONING");
    const pipelineId = created.data_synchronization_status?.pipeline_id;
    expect(pipelineId).toMatch(/^[0-9a-f-]{36}$/);
    const seen: string[] = [];
    const online = await until(
      () => w.database.getSyncedDatabaseTable({ name }),
      (t) => {
        const state = t.data_synchronization_status?.detailed_state ?? "";
        if (seen.at(-1) !== state) seen.push(state);
        return state.startsWith("SYNCED_TABLE_ONLINE") || state.includes("FAILED");
      },
    );
    expect(seen[0]).toBe("SYNCED_TABLE_PROVISIONING");
    expect(seen).toContain("SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT");
    expect(seen.at(-1)).toBe("SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
    const status = online.data_synchronization_status;
    expect(status?.pipeline_id).toBe(pipelineId);
    expect(online.unity_catalog_provisioning_state).toBe("ACTIVE");
    expect(status?.provisioning_status?.initial_pipeline_sync_progress).toMatchObject({
      synced_row_count: ROWS,
      total_row_count: ROWS,
      sync_progress_completion: 1,
    });
    expect(Date.parse(status?.last_sync?.sync_end_timestamp ?? "")).toBeGreaterThan(0);
    const physical = local.physicalDatabase("inst-sync", "orders");
    expect(await count("SELECT count(*) AS n FROM public.orders_synced", physical)).toBe(ROWS);
    expect(
      await count(
        "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'orders_synced' AND tableowner = 'databricks_writer_' || (SELECT oid FROM pg_database WHERE datname = current_database())",
        physical,
      ),
    ).toBe(1);
    // Shaped as Databricks creates it: the spec's primary key is the only index; the source's column types.
    expect(
      await rows(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'orders_synced'",
        physical,
      ),
    ).toEqual([
      {
        indexname: "orders_synced_pkey",
        indexdef: "CREATE UNIQUE INDEX orders_synced_pkey ON public.orders_synced USING btree (o_orderkey)",
      },
    ]);
    const types = await rows<{ column_name: string; type: string }>(
      `SELECT column_name, format_type(atttypid, atttypmod) AS type
         FROM information_schema.columns c
         JOIN pg_attribute a ON a.attrelid = 'public.orders_synced'::regclass AND a.attname = c.column_name
        WHERE table_schema = 'public' AND table_name = 'orders_synced' ORDER BY ordinal_position`,
      physical,
    );
    expect(types.map((t) => `${t.column_name} ${t.type}`)).toEqual([
      "o_orderkey bigint",
      "o_custkey bigint",
      "o_orderstatus text",
      "o_totalprice numeric(18,2)",
      "o_orderdate date",
      "o_orderpriority text",
      "o_clerk text",
      "o_shippriority integer",
      "o_comment text",
    ]);

    const dup = await rejectionOf(
      w.database.createSyncedDatabaseTable({ synced_table: { name, spec: spec() } }),
    );
    expect(dup.statusCode).toBe(409);
    const update = await rejectionOf(
      w.database.updateSyncedDatabaseTable({ name, synced_table: { name }, update_mask: "spec" }),
    );
    expect(update.statusCode).toBe(501);

    // Delete without purge_data keeps the Postgres table; with it (REST query parameter) drops it.
    await w.database.deleteSyncedDatabaseTable({ name });
    expect((await rejectionOf(w.database.getSyncedDatabaseTable({ name }))).statusCode).toBe(404);
    expect(await count("SELECT count(*) AS n FROM public.orders_synced", physical)).toBe(ROWS);
  });

  it("drops the table on delete with purge_data=true", async () => {
    const name = "sync_cat.purge.orders_p";
    await w.database.createSyncedDatabaseTable({
      synced_table: { name, spec: spec({ primary_key_columns: ["o_orderkey", "o_custkey"] }) },
    });
    await until(
      () => w.database.getSyncedDatabaseTable({ name }),
      (t) => t.data_synchronization_status?.detailed_state === "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE",
    );
    const physical = local.physicalDatabase("inst-sync", "orders");
    expect(await count("SELECT count(*) AS n FROM purge.orders_p", physical)).toBe(ROWS);
    // The primary key is the spec's, in its order.
    expect(
      await rows(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'purge' AND tablename = 'orders_p'",
        physical,
      ),
    ).toEqual([
      { indexdef: "CREATE UNIQUE INDEX orders_p_pkey ON purge.orders_p USING btree (o_orderkey, o_custkey)" },
    ]);
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
    expect(await count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'orders_p'", physical)).toBe(0);
  });

  it("reports an injected pipeline failure as SYNCED_TABLE_OFFLINE_FAILED", async () => {
    local.faults.failNextPipeline("injected: source unavailable");
    const name = "sync_cat.public.orders_failing";
    await w.database.createSyncedDatabaseTable({ synced_table: { name, spec: spec() } });
    const failed = await until(
      () => w.database.getSyncedDatabaseTable({ name }),
      (t) => t.data_synchronization_status?.detailed_state === "SYNCED_TABLE_OFFLINE_FAILED",
    );
    expect(failed.data_synchronization_status?.message).toMatch(/injected: source unavailable/);
    await w.database.deleteSyncedDatabaseTable({ name });
  });
});
