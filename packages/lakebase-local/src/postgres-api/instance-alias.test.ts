import type { WorkspaceClient } from "@databricks/sdk-experimental";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAST,
  patchPermissions,
  postgresCall,
  postgresMutate,
  rejectionOf,
  sdkFor,
  until,
} from "../../testing/index.ts";
import { type LakebaseLocal, startLakebaseLocal } from "../lakebase-local.ts";

// The Autoscaling flavour's default project, also reachable through the `database` API under its instance
// name (as Databricks serves projects since March 2026): what every Provisioned client keeps using.
const seed = {
  instanceName: "alias-it",
  catalogName: "alias_cat",
  databaseName: "orders",
  syncedTable: "public.orders_synced",
};

let db: TestDatabase;
let local: LakebaseLocal;
let w: WorkspaceClient;

beforeAll(async () => {
  db = await createTestDatabase("lbl_alias");
  local = await startLakebaseLocal({
    postgres: { adminUrl: db.adminUrl },
    timings: FAST,
    sourceRows: 30,
    seed,
  });
  w = sdkFor(local);
}, 60_000);

afterAll(async () => {
  await local?.stop();
  await db?.drop();
});

async function count(port: number | undefined, user: string, password: string): Promise<number> {
  const client = new pg.Client({
    host: local.pgHost,
    port,
    user,
    password,
    database: "orders",
    ssl: { ca: local.caPem },
  });
  await client.connect();
  try {
    return (
      (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM public.orders_synced")).rows[0]?.n ??
      -1
    );
  } finally {
    await client.end();
  }
}

describe("the default project", () => {
  it("names itself on the handle (the ready line's fields): project, branch, endpoint and its port", () => {
    expect(local.flavor).toBe("autoscaling");
    expect([local.projectName, local.branchName, local.endpointName]).toEqual([
      "projects/alias-it",
      "projects/alias-it/branches/production",
      "projects/alias-it/branches/production/endpoints/primary",
    ]);
    expect(local.endpointPort).toBe(local.pgPort);
    expect(local.portOf("alias-it")).toBe(local.pgPort);
    expect(local.physicalDatabase("alias-it", "orders")).toBe("orders");
  });

  it("is an instance for the database API: get, list, catalog, synced table, credentials, front-door counters", async () => {
    const instance = await w.database.getDatabaseInstance({ name: "alias-it" });
    expect(instance).toMatchObject({
      name: "alias-it",
      state: "AVAILABLE",
      read_write_dns: "127.0.0.1",
      creator: local.identity,
      stopped: false,
    });
    expect((instance as { x_local_pg_port?: number }).x_local_pg_port).toBe(local.pgPort);
    const names: string[] = [];
    for await (const i of w.database.listDatabaseInstances({})) names.push(i.name);
    expect(names).toContain("alias-it");
    expect((await w.database.getDatabaseCatalog({ name: "alias_cat" })).database_instance_name).toBe(
      "alias-it",
    );
    const synced = await w.database.getSyncedDatabaseTable({ name: "alias_cat.public.orders_synced" });
    expect(synced.data_synchronization_status?.detailed_state).toBe("SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
    expect(synced.database_instance_name).toBe("alias-it");
    // The same synced table through the postgres API, with its `*_time` status fields.
    const viaPostgres = await postgresCall<{
      status: { detailed_state: string; last_sync?: { sync_end_time?: string } };
    }>(w, "GET", "synced_tables/alias_cat.public.orders_synced");
    expect(viaPostgres.status.detailed_state).toBe("SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
    expect(Date.parse(viaPostgres.status.last_sync?.sync_end_time ?? "")).toBeGreaterThan(0);

    const credential = await w.database.generateDatabaseCredential({ instance_names: ["alias-it"] });
    expect(await count(local.pgPort, local.identity, credential.token ?? "")).toBe(30);
    expect(local.counters().frontDoors["alias-it"]?.accepted).toBeGreaterThanOrEqual(1);
    // A database credential of the instance is scoped to the project's primary endpoint only.
    const reader = await postgresMutate<{ x_local_pg_port: number }>(
      w,
      "POST",
      `${local.branchName}/endpoints`,
      {
        query: { endpoint_id: "reader" },
        body: { spec: { endpoint_type: "ENDPOINT_TYPE_READ_ONLY" } },
      },
    );
    expect(
      (await rejectionOf(count(reader.x_local_pg_port, local.identity, credential.token ?? ""))).code,
    ).toBe("28P01");
    expect((await w.database.getDatabaseInstance({ name: "alias-it" })).enable_readable_secondaries).toBe(
      true,
    );
    await postgresMutate(w, "DELETE", `${local.branchName}/endpoints/reader`);
  }, 60_000);

  it("shares its ACL with the project, and clashes with instance names", async () => {
    const token = local.addUser("bo@example.com");
    const bo = sdkFor(local, token);
    const denied = await rejectionOf(
      bo.database.generateDatabaseCredential({ instance_names: ["alias-it"] }),
    );
    expect([denied.statusCode, denied.errorCode]).toEqual([403, "PERMISSION_DENIED"]);
    expect(
      (await patchPermissions(w, "alias-it", [{ user_name: "bo@example.com", permission_level: "CAN_USE" }]))
        .status,
    ).toBe(200);
    const project = await w.permissions.get({
      request_object_type: "database-projects" as never,
      request_object_id: "alias-it",
    });
    expect(project.access_control_list?.some((e) => e.user_name === "bo@example.com")).toBe(true);
    expect(
      (await bo.database.generateDatabaseCredential({ instance_names: ["alias-it"] })).token,
    ).toBeTruthy();
    const clash = await rejectionOf(
      w.database.createDatabaseInstance({ database_instance: { name: "alias-it" } }),
    );
    expect([clash.statusCode, clash.errorCode]).toEqual([409, "RESOURCE_ALREADY_EXISTS"]);
  });

  it("tells AppKit the workspace id in x-databricks-org-id (SCIM Me) and takes its telemetry", async () => {
    const headers = new Headers();
    await w.config.authenticate(headers);
    const me = await fetch(`${local.restUrl}/api/2.0/preview/scim/v2/Me`, { headers });
    expect(me.headers.get("x-databricks-org-id")).toBe(local.workspaceId);
    expect(local.workspaceId).toMatch(/^\d{16}$/);
    expect(((await me.json()) as { id: string }).id).toMatch(/^\d+$/);
    const telemetry = await fetch(`${local.restUrl}/telemetry-ext?o=${local.workspaceId}`, {
      method: "POST",
      headers: { ...Object.fromEntries(headers), "Content-Type": "application/json" },
      body: JSON.stringify({ uploadTime: Date.now(), items: [], protoLogs: ["{}"] }),
    });
    expect(telemetry.status).toBe(200);
  });

  it("is deleted through the database API as an instance: the project goes, a new instance keeps the port and honours the name's credential", async () => {
    const port = local.pgPort;
    // A credential is for the instance name (as a client caches it), whatever serves that name.
    const { token } = await w.database.generateDatabaseCredential({ instance_names: ["alias-it"] });
    await w.database.deleteDatabaseInstance({ name: "alias-it", purge: true });
    await until(
      () =>
        w.database.getDatabaseInstance({ name: "alias-it" }).then(
          () => true,
          () => false,
        ),
      (exists) => !exists,
    );
    const gone = await rejectionOf(postgresCall(w, "GET", "projects/alias-it"));
    expect(gone.errorCode).toBe("NOT_FOUND");
    const again = await w.database.createDatabaseInstance({
      database_instance: { name: "alias-it", capacity: "CU_1" },
    });
    expect((again as { x_local_pg_port?: number }).x_local_pg_port).toBe(port);
    await until(
      () => w.database.getDatabaseInstance({ name: "alias-it" }),
      (i) => i.state === "AVAILABLE",
    );
    const client = new pg.Client({
      host: local.pgHost,
      port,
      user: local.identity,
      password: token ?? "",
      database: "databricks_postgres",
      ssl: { ca: local.caPem },
    });
    await client.connect();
    await client.end();
  }, 60_000);
});
