import { ApiError, type WorkspaceClient } from "@databricks/sdk-experimental";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAST,
  type PostgresOperation,
  postgresCall,
  postgresMutate,
  rejectionOf,
  sdkFor,
  waitForOperation,
} from "../../testing/index.ts";
import { type LakebaseLocal, startLakebaseLocal } from "../lakebase-local.ts";

// The `postgres` API through the real SDK's apiClient (as AppKit calls it): shapes, operations, errors,
// credentials scoped to a real endpoint, permissions. One project with a real cluster.
let db: TestDatabase;
let local: LakebaseLocal;
let w: WorkspaceClient;
const PROJECT = "projects/api-it";
const BRANCH = `${PROJECT}/branches/production`;
const PRIMARY = `${BRANCH}/endpoints/primary`;

interface Endpoint {
  name: string;
  status: { current_state: string; hosts: { host: string }; endpoint_type: string; disabled: boolean };
  x_local_pg_port: number;
}

beforeAll(async () => {
  db = await createTestDatabase("lbl_pgapi");
  local = await startLakebaseLocal({ postgres: { adminUrl: db.adminUrl }, timings: FAST, sourceRows: 50 });
  w = sdkFor(local);
}, 60_000);

afterAll(async () => {
  await local?.stop();
  await db?.drop();
});

function login(port: number, user: string, password: string, database = "databricks_postgres") {
  const client = new pg.Client({
    host: local.pgHost,
    port,
    user,
    password,
    database,
    ssl: { ca: local.caPem },
    connectionTimeoutMillis: 10_000,
  });
  client.on("error", () => undefined);
  return client.connect().then(() => client);
}

describe("projects", () => {
  it("creates a project with an operation that is done only once its cluster runs, then GET shows status", async () => {
    const op = await postgresCall<PostgresOperation<{ name: string; status: Record<string, unknown> }>>(
      w,
      "POST",
      "projects",
      {
        query: { project_id: "api-it" },
        body: { spec: { display_name: "API test", pg_version: 17 } },
      },
    );
    expect(op.done).toBe(false);
    expect(op.name).toMatch(/^projects\/api-it\/operations\/[0-9a-f-]{36}$/);
    expect(op.metadata?.["@type"]).toBe(
      "type.googleapis.com/databricks.postgres.v1.ProjectOperationMetadata",
    );
    const project = await waitForOperation(w, op);
    expect(project.name).toBe(PROJECT);
    expect(project).not.toHaveProperty("spec");
    expect(project.status).toMatchObject({
      project_id: "api-it",
      display_name: "API test",
      pg_version: 17,
      default_branch: BRANCH,
      history_retention_duration: "604800s",
      owner: local.identity,
      enable_pg_native_login: false,
      default_endpoint_settings: { suspend_timeout_duration: "86400s" },
    });

    const branch = await postgresCall<{ status: Record<string, unknown> }>(w, "GET", BRANCH);
    expect(branch.status).toMatchObject({ current_state: "READY", default: true, is_protected: false });
    const endpoint = await postgresCall<Endpoint>(w, "GET", PRIMARY);
    expect(endpoint.status).toMatchObject({
      endpoint_type: "ENDPOINT_TYPE_READ_WRITE",
      current_state: "ACTIVE",
      disabled: false,
      hosts: { host: "127.0.0.1" },
    });
    expect(endpoint.x_local_pg_port).toBe(local.portOf(PRIMARY));
    const databases = await postgresCall<{
      databases: { status: { postgres_database: string; role: string } }[];
    }>(w, "GET", `${BRANCH}/databases`);
    expect(databases.databases.map((d) => d.status.postgres_database)).toEqual(["databricks_postgres"]);
    const roles = await postgresCall<{ roles: { name: string; status: Record<string, unknown> }[] }>(
      w,
      "GET",
      `${BRANCH}/roles`,
    );
    expect(roles.roles.map((r) => r.status)).toEqual([
      expect.objectContaining({
        postgres_role: local.identity,
        identity_type: "USER",
        auth_method: "LAKEBASE_OAUTH_V1",
        membership_roles: ["DATABRICKS_SUPERUSER"],
      }),
    ]);
    expect(databases.databases[0]?.status.role).toBe(roles.roles[0]?.name);

    // The owner logs in with an endpoint credential, as the database's owner.
    const { token } = await postgresCall<{ token: string }>(w, "POST", "credentials", {
      body: { endpoint: PRIMARY },
    });
    const client = await login(endpoint.x_local_pg_port, local.identity, token);
    const row = (
      await client.query<{ owner: string; superuser: boolean }>(
        `SELECT pg_get_userbyid(datdba) AS owner, pg_has_role(current_user, 'databricks_superuser', 'member') AS superuser
           FROM pg_database WHERE datname = current_database()`,
      )
    ).rows[0];
    await client.end();
    expect(row).toEqual({ owner: local.identity, superuser: true });
  }, 60_000);

  it("lists with paging and answers the postgres API's error codes", async () => {
    const page = await postgresCall<{ projects: { name: string }[]; next_page_token?: string }>(
      w,
      "GET",
      "projects",
      {
        query: { page_size: 1 },
      },
    );
    expect(page.projects.map((p) => p.name)).toEqual([PROJECT]);
    expect(page.next_page_token).toBeUndefined();

    const cases: [Promise<unknown>, number, string][] = [
      [postgresCall(w, "GET", "projects/nope"), 404, "NOT_FOUND"],
      [postgresCall(w, "GET", `${PROJECT}/branches/nope`), 404, "NOT_FOUND"],
      [postgresCall(w, "GET", `${BRANCH}/endpoints/nope`), 404, "NOT_FOUND"],
      [postgresCall(w, "GET", `${PROJECT}/operations/nope`), 404, "NOT_FOUND"],
      [postgresCall(w, "POST", "projects", { body: {} }), 400, "INVALID_PARAMETER_VALUE"],
      [
        postgresCall(w, "POST", "projects", { query: { project_id: "Bad_Id" } }),
        400,
        "INVALID_PARAMETER_VALUE",
      ],
      [postgresCall(w, "POST", "projects", { query: { project_id: "api-it" } }), 409, "ALREADY_EXISTS"],
      [
        postgresCall(w, "POST", `${PROJECT}/branches`, { query: { branch_id: "production" } }),
        409,
        "ALREADY_EXISTS",
      ],
      // Exactly one of ttl, expire_time, no_expiry.
      [
        postgresCall(w, "POST", `${PROJECT}/branches`, { query: { branch_id: "x" }, body: { spec: {} } }),
        400,
        "INVALID_PARAMETER_VALUE",
      ],
      [
        postgresCall(w, "PATCH", PRIMARY, { query: { update_mask: "spec.nope" }, body: { spec: {} } }),
        400,
        "INVALID_PARAMETER_VALUE",
      ],
    ];
    for (const [call, status, code] of cases) {
      const error = await rejectionOf(call);
      expect([error.statusCode, error.errorCode]).toEqual([status, code]);
      expect(error.errorCode).not.toMatch(/^RESOURCE_/);
    }
    const missing = await rejectionOf(postgresCall(w, "GET", "projects/nope"));
    expect(missing.message).toMatch(/^project id not found \[TraceId: /);
    expect(missing).toBeInstanceOf(ApiError);
  });

  it("refuses to delete the root branch and the primary endpoint (BAD_REQUEST, MANAGED_BY_PARENT)", async () => {
    const headers = new Headers();
    await w.config.authenticate(headers);
    for (const name of [BRANCH, PRIMARY]) {
      const response = await fetch(`${local.restUrl}/api/2.0/postgres/${name}`, {
        method: "DELETE",
        headers,
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as {
        error_code: string;
        details: { metadata?: Record<string, string> }[];
      };
      expect(body.error_code).toBe("BAD_REQUEST");
      expect(body.details[0]?.metadata).toEqual({ declarative_context: "MANAGED_BY_PARENT" });
    }
    // The service's payload carries a RequestInfo detail without metadata, on which the JS SDK's error
    // parser throws: the SDK surfaces the refusal as a 400 with errorCode "Bad Request" (its status text).
    const viaSdk = await rejectionOf(postgresCall(w, "DELETE", BRANCH));
    expect([viaSdk.statusCode, viaSdk.errorCode]).toEqual([400, "Bad Request"]);
  });

  it("updates with update_mask (PATCH with a body) through an operation", async () => {
    const updated = await postgresMutate<{
      status: { display_name: string; history_retention_duration: string };
    }>(w, "PATCH", PROJECT, {
      query: { update_mask: "spec.display_name,spec.history_retention_duration" },
      body: { spec: { display_name: "Renamed", history_retention_duration: "259200s" } },
    });
    expect(updated.status).toMatchObject({ display_name: "Renamed", history_retention_duration: "259200s" });
    const masked = await rejectionOf(
      postgresCall(w, "PATCH", PROJECT, { query: { update_mask: "spec.display_name" }, body: { spec: {} } }),
    );
    expect(masked.message).toBe("Field 'spec.display_name' is in update_mask but not provided in request");
    const short = await rejectionOf(
      postgresCall(w, "PATCH", PROJECT, {
        query: { update_mask: "spec.history_retention_duration" },
        body: { spec: { history_retention_duration: "60s" } },
      }),
    );
    expect(short.errorCode).toBe("INVALID_PARAMETER_VALUE");
  });
});

describe("credentials and roles", () => {
  it("scopes a credential to its endpoint: unknown endpoints are 404, a token of endpoint A is refused at B", async () => {
    const unknown = await rejectionOf(
      postgresCall(w, "POST", "credentials", { body: { endpoint: `${BRANCH}/endpoints/nope` } }),
    );
    expect([unknown.statusCode, unknown.errorCode]).toEqual([404, "NOT_FOUND"]);
    const ro = await postgresMutate<Endpoint>(w, "POST", `${BRANCH}/endpoints`, {
      query: { endpoint_id: "reader" },
      body: { spec: { endpoint_type: "ENDPOINT_TYPE_READ_ONLY" } },
    });
    expect(ro.status).toMatchObject({ endpoint_type: "ENDPOINT_TYPE_READ_ONLY", current_state: "ACTIVE" });
    expect(ro.x_local_pg_port).not.toBe(local.portOf(PRIMARY));
    const a = await postgresCall<{ token: string; expire_time: string }>(w, "POST", "credentials", {
      body: { endpoint: PRIMARY },
    });
    expect(Date.parse(a.expire_time)).toBeGreaterThan(Date.now());
    const b = await postgresCall<{ token: string }>(w, "POST", "credentials", {
      body: { endpoint: ro.name },
    });
    const atA = await login(local.portOf(PRIMARY) ?? 0, local.identity, a.token);
    await atA.end();
    const aAtB = await rejectionOf(login(ro.x_local_pg_port, local.identity, a.token));
    expect(aAtB.code).toBe("28P01");
    const bAtB = await login(ro.x_local_pg_port, local.identity, b.token);
    expect((await bAtB.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r")).rows[0]?.r).toBe(true);
    await bAtB.end();
    expect(local.counters().frontDoors[ro.name]?.refused.wrong_instance).toBe(1);
    await postgresMutate(w, "DELETE", ro.name);
    const gone = await rejectionOf(login(ro.x_local_pg_port, local.identity, b.token));
    expect(gone.code).toBe("08004");
  }, 60_000);

  it("lets a user log in with their own workspace token once the roles API gave them a role, 28P01 before", async () => {
    const userToken = local.addUser("ana@example.com");
    const port = local.portOf(PRIMARY) ?? 0;
    const before = await rejectionOf(login(port, "ana@example.com", userToken));
    expect(before.code).toBe("28P01");
    expect(before.message).toBe('password authentication failed for user "ana@example.com"');
    expect(local.counters().frontDoors[PRIMARY]?.refused.no_role).toBe(1);
    const unknown = await rejectionOf(
      postgresCall(w, "POST", `${BRANCH}/roles`, {
        query: { role_id: "nobody" },
        body: { spec: { postgres_role: "nobody@example.com", identity_type: "USER" } },
      }),
    );
    expect(unknown.errorCode).toBe("INVALID_PARAMETER_VALUE");
    const role = await postgresMutate<{ status: Record<string, unknown> }>(w, "POST", `${BRANCH}/roles`, {
      query: { role_id: "ana-role" },
      body: { spec: { postgres_role: "ana@example.com", identity_type: "USER" } },
    });
    expect(role.status).toMatchObject({ auth_method: "LAKEBASE_OAUTH_V1", identity_type: "USER" });
    const duplicate = await rejectionOf(
      postgresCall(w, "POST", `${BRANCH}/roles`, {
        query: { role_id: "ana-again" },
        body: { spec: { postgres_role: "ana@example.com", identity_type: "USER" } },
      }),
    );
    expect([duplicate.statusCode, duplicate.errorCode]).toEqual([400, "BAD_REQUEST"]);
    const client = await login(port, "ana@example.com", userToken);
    const me = (
      await client.query<{ u: string; su: boolean; bypass: boolean }>(
        `SELECT current_user AS u, pg_has_role(current_user, 'databricks_superuser', 'member') AS su,
                rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user`,
      )
    ).rows[0];
    // No grants by default: the owner decides what she may read.
    expect(me).toEqual({ u: "ana@example.com", su: false, bypass: false });
    expect((await rejectionOf(client.query("CREATE TABLE public.t (x int)"))).code).toBe("42501");
    await client.end();
    // An endpoint credential fetched with her token works too (she needs CAN_USE on the project for that).
    const ana = sdkFor(local, userToken);
    const refused = await rejectionOf(
      postgresCall(ana, "POST", "credentials", { body: { endpoint: PRIMARY } }),
    );
    expect([refused.statusCode, refused.errorCode]).toEqual([403, "PERMISSION_DENIED"]);
    await w.permissions.set({
      request_object_type: "database-projects",
      request_object_id: "api-it",
      access_control_list: [
        { user_name: local.identity, permission_level: "CAN_MANAGE" },
        { user_name: "ana@example.com", permission_level: "CAN_USE" },
      ],
    });
    const acl = await w.permissions.get({
      request_object_type: "database-projects",
      request_object_id: "api-it",
    });
    expect(acl.object_id).toBe("/database-projects/api-it");
    const { token } = await postgresCall<{ token: string }>(ana, "POST", "credentials", {
      body: { endpoint: PRIMARY },
    });
    const viaCredential = await login(port, "ana@example.com", token);
    await viaCredential.end();
    // A change needs CAN_MANAGE.
    const denied = await rejectionOf(
      postgresCall(ana, "POST", `${BRANCH}/roles`, {
        query: { role_id: "eve-role" },
        body: { spec: { postgres_role: "eve" } },
      }),
    );
    expect(denied.statusCode).toBe(403);
  }, 60_000);

  it("creates and deletes databases owned by a role of the branch", async () => {
    const roles = await postgresCall<{ roles: { name: string; status: { postgres_role: string } }[] }>(
      w,
      "GET",
      `${BRANCH}/roles`,
    );
    const owner = roles.roles.find((r) => r.status.postgres_role === local.identity)?.name ?? "";
    const noRole = await rejectionOf(
      postgresCall(w, "POST", `${BRANCH}/databases`, { query: { database_id: "appdb" }, body: { spec: {} } }),
    );
    expect(noRole.errorCode).toBe("INVALID_PARAMETER_VALUE");
    const created = await postgresMutate<{ status: { postgres_database: string } }>(
      w,
      "POST",
      `${BRANCH}/databases`,
      {
        query: { database_id: "appdb" },
        body: { spec: { postgres_database: "app_db", role: owner } },
      },
    );
    expect(created.status.postgres_database).toBe("app_db");
    const again = await rejectionOf(
      postgresCall(w, "POST", `${BRANCH}/databases`, {
        query: { database_id: "appdb" },
        body: { spec: { postgres_database: "app_db", role: owner } },
      }),
    );
    expect([again.statusCode, again.errorCode]).toEqual([400, "BAD_REQUEST"]);
    const { token } = await postgresCall<{ token: string }>(w, "POST", "credentials", {
      body: { endpoint: PRIMARY },
    });
    const client = await login(local.portOf(PRIMARY) ?? 0, local.identity, token, "app_db");
    await client.end();
    await postgresMutate(w, "DELETE", `${BRANCH}/databases/appdb`);
    expect((await rejectionOf(login(local.portOf(PRIMARY) ?? 0, local.identity, token, "app_db"))).code).toBe(
      "3D000",
    );
  }, 60_000);
});
