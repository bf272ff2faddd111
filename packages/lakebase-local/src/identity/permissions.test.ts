import { ApiError, type WorkspaceClient } from "@databricks/sdk-experimental";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAST,
  patchInstance,
  patchPermissions,
  rejectionOf,
  sdkFor,
  sdkForServicePrincipal,
  until,
} from "../../testing/index.ts";
import { type LakebaseLocal, startLakebaseLocal } from "../lakebase-local.ts";

// Per-identity permissions through the real SDK (authType "pat", as an on-behalf-of-user client is built):
// the allowed and the refused path of every instance operation.
const SP = { clientId: "5e0c7a8b-0000-4000-8000-00000000ab01", clientSecret: "sp-not-admin", admin: false };

let db: TestDatabase;
let local: LakebaseLocal;
let admin: WorkspaceClient;
let bob: { token: string; w: WorkspaceClient };
let carol: { token: string; w: WorkspaceClient };

beforeAll(async () => {
  db = await createTestDatabase("lbl_perm");
  local = await startLakebaseLocal({
    postgres: { adminUrl: db.adminUrl },
    timings: FAST,
    sourceRows: 10,
    servicePrincipals: [SP],
  });
  admin = sdkFor(local);
  const user = (email: string) => {
    const token = local.addUser(email);
    return { token, w: sdkFor(local, token) };
  };
  bob = user("bob@example.com");
  carol = user("carol@example.com");
});

afterAll(async () => {
  await local?.stop();
  await db?.drop();
});

async function available(w: WorkspaceClient, name: string) {
  await w.database.createDatabaseInstance({ database_instance: { name, capacity: "CU_1" } });
  return until(
    () => w.database.getDatabaseInstance({ name }),
    (i) => i.state === "AVAILABLE",
  );
}

function denied(error: { statusCode?: number; errorCode?: string; message: string }, level: string) {
  expect(error).toBeInstanceOf(ApiError);
  expect([error.statusCode, error.errorCode]).toEqual([403, "PERMISSION_DENIED"]);
  expect(error.message).toMatch(new RegExp(`does not have ${level} permission on database instance`));
}

function login(port: number | undefined, user: string, password: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: local.pgHost,
    port,
    user,
    password,
    database: "databricks_postgres",
    ssl: { ca: local.caPem },
    connectionTimeoutMillis: 5000,
  });
  client.on("error", () => undefined);
  return client.connect().then(() => client);
}

describe("an identity without permission on an instance", () => {
  it("reads it, and is refused 403 PERMISSION_DENIED for every change, credential and login", async () => {
    await available(admin, "perm-admins");
    expect((await bob.w.currentUser.me()).userName).toBe("bob@example.com");
    // Reads are open to every workspace identity.
    expect((await bob.w.database.getDatabaseInstance({ name: "perm-admins" })).state).toBe("AVAILABLE");
    const seen: string[] = [];
    for await (const i of bob.w.database.listDatabaseInstances({})) seen.push(i.name);
    expect(seen).toContain("perm-admins");

    const stop = await patchInstance(bob.w, "perm-admins", "stopped", { stopped: true });
    expect([stop.status, stop.json.error_code]).toEqual([403, "PERMISSION_DENIED"]);
    expect(stop.json.message).toBe(
      "User bob@example.com does not have CAN_MANAGE permission on database instance 'perm-admins'.",
    );
    denied(await rejectionOf(bob.w.database.deleteDatabaseInstance({ name: "perm-admins" })), "CAN_MANAGE");
    denied(
      await rejectionOf(
        bob.w.database.createDatabaseCatalog({
          catalog: {
            name: "bob_cat",
            database_instance_name: "perm-admins",
            database_name: "databricks_postgres",
          },
        }),
      ),
      "CAN_MANAGE",
    );
    denied(
      await rejectionOf(
        bob.w.database.createSyncedDatabaseTable({
          synced_table: {
            name: "bob_cat.public.t",
            database_instance_name: "perm-admins",
            logical_database_name: "databricks_postgres",
            spec: {
              source_table_full_name: "samples.tpch.orders",
              primary_key_columns: ["o_orderkey"],
              scheduling_policy: "SNAPSHOT",
              new_pipeline_spec: { storage_catalog: "main", storage_schema: "default" },
            },
          },
        }),
      ),
      "CAN_MANAGE",
    );
    denied(
      await rejectionOf(bob.w.database.generateDatabaseCredential({ instance_names: ["perm-admins"] })),
      "CAN_USE",
    );
    denied(
      await rejectionOf(
        bob.w.permissions.get({
          request_object_type: "database-instances",
          request_object_id: "perm-admins",
        }),
      ),
      "CAN_USE",
    );
    // Nothing changed, and an unknown instance is still a 404 (not a 403).
    expect((await admin.database.getDatabaseInstance({ name: "perm-admins" })).state).toBe("AVAILABLE");
    expect((await rejectionOf(bob.w.database.deleteDatabaseInstance({ name: "perm-none" }))).statusCode).toBe(
      404,
    );

    // Bob's own token as a Postgres password: refused like a wrong password, counted as no_permission.
    const port = local.portOf("perm-admins");
    expect((await rejectionOf(login(port, "bob@example.com", bob.token))).code).toBe("28P01");
    expect(local.counters().frontDoors["perm-admins"]?.refused.no_permission).toBe(1);
  });
});

describe("CAN_USE", () => {
  it("lets a user get credentials and log in (database credential or own token), but not manage", async () => {
    await available(admin, "perm-use");
    const granted = await patchPermissions(admin, "perm-use", [
      { user_name: "bob@example.com", permission_level: "CAN_USE" },
    ]);
    expect(granted.status).toBe(200);
    const acl = await bob.w.permissions.get({
      request_object_type: "database-instances",
      request_object_id: "perm-use",
    });
    expect(acl.object_type).toBe("database-instances");
    expect(acl.object_id).toBe("/database-instances/perm-use");
    expect(acl.access_control_list).toEqual([
      {
        user_name: local.identity,
        display_name: "local-admin",
        all_permissions: [{ permission_level: "CAN_MANAGE", inherited: false }],
      },
      {
        user_name: "bob@example.com",
        display_name: "bob",
        all_permissions: [{ permission_level: "CAN_USE", inherited: false }],
      },
      {
        group_name: "admins",
        all_permissions: [
          {
            permission_level: "CAN_MANAGE",
            inherited: true,
            inherited_from_object: ["/database-instances/"],
          },
        ],
      },
    ]);

    const credential = await bob.w.database.generateDatabaseCredential({ instance_names: ["perm-use"] });
    const port = local.portOf("perm-use");
    for (const password of [credential.token ?? "", bob.token]) {
      const client = await login(port, "bob@example.com", password);
      expect((await client.query("SELECT current_user AS u")).rows).toEqual([{ u: "bob@example.com" }]);
      await client.end();
    }
    const stop = await patchInstance(bob.w, "perm-use", "stopped", { stopped: true });
    expect([stop.status, stop.json.error_code]).toEqual([403, "PERMISSION_DENIED"]);
    denied(
      await rejectionOf(
        bob.w.permissions.set({
          request_object_type: "database-instances",
          request_object_id: "perm-use",
          access_control_list: [{ user_name: "bob@example.com", permission_level: "CAN_MANAGE" }],
        }),
      ),
      "CAN_MANAGE",
    );
  });

  it("can be granted to everyone through the users group", async () => {
    await available(admin, "perm-all");
    denied(
      await rejectionOf(carol.w.database.generateDatabaseCredential({ instance_names: ["perm-all"] })),
      "CAN_USE",
    );
    await patchPermissions(admin, "perm-all", [{ group_name: "users", permission_level: "CAN_USE" }]);
    expect(
      (await carol.w.database.generateDatabaseCredential({ instance_names: ["perm-all"] })).token,
    ).toBeTruthy();
  });
});

describe("CAN_MANAGE", () => {
  it("belongs to the creator, who can stop, start, add a catalog, share and delete; others then can too", async () => {
    const created = await available(carol.w, "perm-carol");
    expect(created.creator).toBe("carol@example.com");
    const stop = await patchInstance(carol.w, "perm-carol", "stopped", { stopped: true });
    expect([stop.status, stop.json.state]).toEqual([200, "STOPPED"]);
    await patchInstance(carol.w, "perm-carol", "stopped", { stopped: false });
    await until(
      () => carol.w.database.getDatabaseInstance({ name: "perm-carol" }),
      (i) => i.state === "AVAILABLE",
    );
    await carol.w.database.createDatabaseCatalog({
      catalog: {
        name: "carol_cat",
        database_instance_name: "perm-carol",
        database_name: "databricks_postgres",
      },
    });
    denied(await rejectionOf(bob.w.database.deleteDatabaseCatalog({ name: "carol_cat" })), "CAN_MANAGE");

    // PUT replaces the direct grants: carol keeps CAN_MANAGE only because she lists herself.
    const replaced = await carol.w.permissions.set({
      request_object_type: "database-instances",
      request_object_id: "perm-carol",
      access_control_list: [
        { user_name: "carol@example.com", permission_level: "CAN_MANAGE" },
        { user_name: "bob@example.com", permission_level: "CAN_MANAGE" },
      ],
    });
    expect(replaced.access_control_list?.map((a) => a.user_name ?? a.group_name)).toEqual([
      "carol@example.com",
      "bob@example.com",
      "admins",
    ]);
    await bob.w.database.deleteDatabaseCatalog({ name: "carol_cat" });
    await bob.w.database.deleteDatabaseInstance({ name: "perm-carol" });
    expect((await admin.database.getDatabaseInstance({ name: "perm-carol" })).state).toBe("DELETING");
  });

  it("is lost by a creator whom a PUT leaves out; workspace admins always keep it", async () => {
    await available(carol.w, "perm-drop");
    await carol.w.permissions.set({
      request_object_type: "database-instances",
      request_object_id: "perm-drop",
      access_control_list: [{ user_name: "bob@example.com", permission_level: "CAN_USE" }],
    });
    denied(await rejectionOf(carol.w.database.deleteDatabaseInstance({ name: "perm-drop" })), "CAN_MANAGE");
    await admin.database.deleteDatabaseInstance({ name: "perm-drop" });
  });

  it("is what a non-admin service principal gets on the instances it creates, and only there", async () => {
    const sp = sdkForServicePrincipal(local, SP);
    await available(sp, "perm-sp");
    const acl = await sp.permissions.get({
      request_object_type: "database-instances",
      request_object_id: "perm-sp",
    });
    expect(acl.access_control_list?.[0]).toMatchObject({
      service_principal_name: SP.clientId,
      all_permissions: [{ permission_level: "CAN_MANAGE", inherited: false }],
    });
    expect(
      (await sp.database.generateDatabaseCredential({ instance_names: ["perm-sp"] })).token,
    ).toBeTruthy();
    await available(admin, "perm-not-sp");
    denied(await rejectionOf(sp.database.deleteDatabaseInstance({ name: "perm-not-sp" })), "CAN_MANAGE");
  });
});

describe("the permissions API", () => {
  it("validates levels and principals with 400 INVALID_PARAMETER_VALUE, and lists the levels", async () => {
    await available(admin, "perm-api");
    const bad = async (entry: Record<string, string>) => {
      const r = await patchPermissions(admin, "perm-api", [entry]);
      expect([r.status, r.json.error_code]).toEqual([400, "INVALID_PARAMETER_VALUE"]);
      return r.json.message;
    };
    expect(await bad({ user_name: "bob@example.com", permission_level: "CAN_RUN" })).toMatch(/CAN_RUN/);
    expect(await bad({ user_name: "nobody@example.com", permission_level: "CAN_USE" })).toBe(
      "Principal: UserName(nobody@example.com) does not exist",
    );
    expect(await bad({ service_principal_name: "bob@example.com", permission_level: "CAN_USE" })).toBe(
      "Principal: ServicePrincipalName(bob@example.com) does not exist",
    );
    expect(await bad({ group_name: "admins", permission_level: "CAN_USE" })).toMatch(/admins/);
    expect(await bad({ group_name: "eng", permission_level: "CAN_USE" })).toBe(
      "Principal: GroupName(eng) does not exist",
    );
    expect(await bad({ permission_level: "CAN_USE" })).toMatch(/exactly one/);
    const levels = await admin.permissions.getPermissionLevels({
      request_object_type: "database-instances",
      request_object_id: "perm-api",
    });
    expect(levels.permission_levels?.map((l) => l.permission_level)).toEqual(["CAN_USE", "CAN_MANAGE"]);
    const missing = await rejectionOf(
      admin.permissions.get({ request_object_type: "database-instances", request_object_id: "perm-nope" }),
    );
    expect([missing.statusCode, missing.errorCode]).toEqual([404, "RESOURCE_DOES_NOT_EXIST"]);
  });
});

describe("POST /__local/users", () => {
  it("lets a workspace admin add a user with a token; refuses anyone else and bad emails", async () => {
    const post = (token: string, payload: unknown) =>
      fetch(`${local.restUrl}/__local/users`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify(payload),
      });
    const added = await post(local.workspaceToken, { email: "dave@example.com" });
    expect(added.status).toBe(200);
    const { user_name, token } = (await added.json()) as { user_name: string; token: string };
    expect(user_name).toBe("dave@example.com");
    expect((await sdkFor(local, token).currentUser.me()).userName).toBe("dave@example.com");
    const byUser = await post(bob.token, { email: "eve@example.com" });
    expect([byUser.status, ((await byUser.json()) as { error_code: string }).error_code]).toEqual([
      403,
      "PERMISSION_DENIED",
    ]);
    const badEmail = await post(local.workspaceToken, { email: "not-an-email" });
    expect(badEmail.status).toBe(400);
    expect(() => local.addUser(SP.clientId)).toThrow(/already a service principal/);
  });
});
