import type { WorkspaceClient } from "@databricks/sdk-experimental";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAST, patchInstance, rejectionOf, sdkFor, until } from "../../testing/index.ts";
import { type LakebaseLocal, startLakebaseLocal } from "../lakebase-local.ts";

const ROWS = 500;
const seed = {
  instanceName: "fd-main",
  catalogName: "fd_catalog",
  databaseName: "orders",
  syncedTable: "fd_catalog.public.orders_synced",
};

let db: TestDatabase;
let local: LakebaseLocal;
let w: WorkspaceClient;

beforeAll(async () => {
  db = await createTestDatabase("lbl_fd");
  // The login decision of Provisioned instances (endpoints have theirs: postgres-api tests).
  local = await startLakebaseLocal({
    flavor: "provisioned",
    postgres: { adminUrl: db.adminUrl },
    timings: FAST,
    sourceRows: ROWS,
    seed,
  });
  w = sdkFor(local);
});

afterAll(async () => {
  await local?.stop();
  await db?.drop();
});

function connect(
  target: LakebaseLocal,
  password: string,
  options: { ssl?: boolean; port?: number; user?: string; database?: string } = {},
): Promise<pg.Client> {
  const client = new pg.Client({
    host: target.pgHost,
    port: options.port ?? target.pgPort,
    user: options.user ?? target.identity,
    database: options.database ?? target.databaseName,
    password,
    ssl: options.ssl === false ? false : { rejectUnauthorized: false },
    connectionTimeoutMillis: 5000,
  });
  client.on("error", () => undefined);
  return client.connect().then(() => client);
}

async function token(client: WorkspaceClient, instance: string): Promise<string> {
  const credential = await client.database.generateDatabaseCredential({
    instance_names: [instance],
    request_id: crypto.randomUUID(),
  });
  expect(credential.token).toBeTruthy();
  return credential.token ?? "";
}

describe("the front door", () => {
  it("starts seeded: instance AVAILABLE, synced table ONLINE, pgPort = the instance's port", async () => {
    expect(local.pgPort).toBe(local.portOf("fd-main"));
    expect((await w.database.getDatabaseInstance({ name: "fd-main" })).state).toBe("AVAILABLE");
    const synced = await w.database.getSyncedDatabaseTable({ name: seed.syncedTable });
    expect(synced.data_synchronization_status?.detailed_state).toBe("SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
  });

  it("admits a valid token with and without TLS, and a workspace token as password", async () => {
    const password = await token(w, "fd-main");
    for (const ssl of [true, false]) {
      const client = await connect(local, password, { ssl });
      const r = await client.query<{ n: string; u: string; tls: boolean }>(
        "SELECT count(*) AS n, current_user AS u FROM public.orders_synced",
      );
      expect(Number(r.rows[0]?.n)).toBe(ROWS);
      expect(r.rows[0]?.u).toBe(local.identity);
      await client.end();
    }
    const viaWorkspaceToken = await connect(local, local.workspaceToken);
    await viaWorkspaceToken.end();
    expect(local.counters().frontDoors["fd-main"]?.accepted).toBeGreaterThanOrEqual(3);
  });

  it("refuses garbage, foreign-instance and wrong-user tokens with 28P01, unknown databases with 3D000", async () => {
    await w.database.createDatabaseInstance({ database_instance: { name: "fd-other", capacity: "CU_1" } });
    await until(
      () => w.database.getDatabaseInstance({ name: "fd-other" }),
      (i) => i.state === "AVAILABLE",
    );
    const foreign = await token(w, "fd-other");
    const before = { ...local.counters().frontDoors["fd-main"]?.refused };
    const garbage = await rejectionOf(connect(local, "garbage"));
    expect(garbage.code).toBe("28P01");
    expect(garbage.message).toBe(`password authentication failed for user "${local.identity}"`);
    expect((await rejectionOf(connect(local, foreign))).code).toBe("28P01");
    const mine = await token(w, "fd-main");
    expect((await rejectionOf(connect(local, mine, { user: "someone-else@example.com" }))).code).toBe(
      "28P01",
    );
    expect((await rejectionOf(connect(local, mine, { database: "no_such_db" }))).code).toBe("3D000");
    const refused = local.counters().frontDoors["fd-main"]?.refused ?? {};
    const delta = (k: string) => (refused[k] ?? 0) - (before[k] ?? 0);
    expect([
      delta("unknown_token"),
      delta("wrong_instance"),
      delta("wrong_user"),
      delta("unknown_database"),
    ]).toEqual([1, 1, 1, 1]);
    // The foreign token works on its own instance, whose default database always exists.
    const other = await connect(local, foreign, {
      port: local.portOf("fd-other"),
      database: "databricks_postgres",
    });
    await other.end();
  });

  it("keeps the synced table read-only for the app role, which can create its own schema and tables", async () => {
    const client = await connect(local, await token(w, "fd-main"));
    try {
      const insert = await rejectionOf(
        client.query(
          "INSERT INTO public.orders_synced SELECT o_orderkey + 10000000, o_custkey, o_orderstatus, o_totalprice, o_orderdate, o_orderpriority, o_clerk, o_shippriority, o_comment FROM public.orders_synced LIMIT 1",
        ),
      );
      expect(insert.code).toBe("42501");
      expect((await rejectionOf(client.query("DELETE FROM public.orders_synced"))).code).toBe("42501");
      await client.query("CREATE SCHEMA IF NOT EXISTS app");
      await client.query("CREATE TABLE app.notes (id int PRIMARY KEY, body text)");
      await client.query("INSERT INTO app.notes VALUES (1, 'mine')");
      expect((await client.query("SELECT body FROM app.notes")).rows).toEqual([{ body: "mine" }]);
    } finally {
      await client.end();
    }
  });

  it("refuses logins to a stopped instance with a clear error and drops its connections", async () => {
    await w.database.createDatabaseInstance({ database_instance: { name: "fd-stop", capacity: "CU_1" } });
    await until(
      () => w.database.getDatabaseInstance({ name: "fd-stop" }),
      (i) => i.state === "AVAILABLE",
    );
    const password = await token(w, "fd-stop");
    const port = local.portOf("fd-stop");
    const open = await connect(local, password, { port, database: "databricks_postgres" });
    const dropped = new Promise<void>((resolve) => open.once("end", () => resolve()));
    expect((await patchInstance(w, "fd-stop", "stopped", { stopped: true })).json.state).toBe("STOPPED");
    await dropped;
    const refused = await rejectionOf(connect(local, password, { port, database: "databricks_postgres" }));
    expect(refused.code).toBe("57P03");
    expect(refused.message).toBe('database instance "fd-stop" is stopped');
    await patchInstance(w, "fd-stop", "stopped", { stopped: false });
    await until(
      () => w.database.getDatabaseInstance({ name: "fd-stop" }),
      (i) => i.state === "AVAILABLE",
    );
    const again = await connect(local, password, { port, database: "databricks_postgres" });
    await again.end();
  });
});

describe("token expiry", () => {
  let short: LakebaseLocal;
  let shortDb: TestDatabase;

  beforeAll(async () => {
    shortDb = await createTestDatabase("lbl_fd_ttl");
    short = await startLakebaseLocal({
      flavor: "provisioned",
      postgres: { adminUrl: shortDb.adminUrl },
      timings: FAST,
      sourceRows: 10,
      tokenTtlSeconds: 1,
      seed: { ...seed, instanceName: "fd-ttl" },
    });
  });

  afterAll(async () => {
    await short?.stop();
    await shortDb?.drop();
  });

  it("refuses an expired token with 28P01 while a connection opened before expiry keeps working", async () => {
    const sw = sdkFor(short);
    const password = await token(sw, "fd-ttl");
    const early = await connect(short, password);
    await new Promise((r) => setTimeout(r, 1100));
    const late = await rejectionOf(connect(short, password));
    expect(late.code).toBe("28P01");
    expect(short.counters().frontDoors["fd-ttl"]?.refused.expired).toBe(1);
    const r = await early.query<{ n: string }>("SELECT count(*) AS n FROM public.orders_synced");
    expect(Number(r.rows[0]?.n)).toBe(10);
    await early.end();
  });
});
