// PostgresApi over the real Databricks SDK against the local Lakebase's `postgres` API (one project, a real
// cluster per branch), and the classifier on the errors and failed operations it really produces.
import net from "node:net";
import { WorkspaceClient } from "@databricks/sdk-experimental";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { FAST, sdkFor } from "@lakebase-orders/lakebase-local/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeadlineError } from "../deadline.ts";
import {
  errorCodeOf,
  isAlreadyExists,
  isInvalid,
  isNotFound,
  isOperationFailed,
  isRefused,
  isUnavailable,
} from "../errors.ts";
import { branchName, catalogName, endpointName, projectName, syncedTableName } from "./names.ts";
import { PostgresApi } from "./postgres-api.ts";

let local: LakebaseLocal;
let api: PostgresApi;
const ID = `pgapi-${process.pid}`;
const PROJECT = projectName(ID);
const PRODUCTION = branchName(ID, "production");
const PRIMARY = endpointName(ID, "production", "primary");
const FAST_WAIT = { intervalMs: 25, timeoutMs: 60_000 };

beforeAll(async () => {
  const adminUrl = process.env.PG_LOCAL_ADMIN_URL;
  local = await startLakebaseLocal({
    ...(adminUrl ? { postgres: { adminUrl } } : {}),
    timings: FAST,
    sourceRows: 200,
  });
  api = new PostgresApi(sdkFor(local), { timeoutMs: 10_000 });
  const project = await api.wait(
    await api.createProject(ID, { spec: { display_name: "PostgresApi test", pg_version: 16 } }),
    FAST_WAIT,
  );
  expect(project.name).toBe(PROJECT);
}, 120_000);

afterAll(async () => {
  await local?.stop();
});

const failure = (call: Promise<unknown>) =>
  call.then(
    () => expect.unreachable("the call succeeded"),
    (error: unknown) => error,
  );

describe("PostgresApi: projects and what comes with them", () => {
  it("GET shows status (never spec); the project comes with production, primary and databricks_postgres", async () => {
    const project = await api.getProject(PROJECT);
    expect(project).not.toHaveProperty("spec");
    expect(project?.status).toMatchObject({ display_name: "PostgresApi test", default_branch: PRODUCTION });

    const production = await api.getBranch(PRODUCTION);
    expect(production?.status).toMatchObject({ current_state: "READY", default: true });
    const primary = await api.getEndpoint(PRIMARY);
    expect(primary?.status?.endpoint_type).toBe("ENDPOINT_TYPE_READ_WRITE");
    expect(primary?.status?.hosts?.host).toBeTruthy();
    const databases = await api.listDatabases(PRODUCTION);
    expect(databases.items.map((d) => d.status?.postgres_database)).toContain("databricks_postgres");
  });

  it("answers null for what does not exist", async () => {
    expect(await api.getProject(projectName("nope-nope"))).toBeNull();
    expect(await api.getBranch(branchName(ID, "nope"))).toBeNull();
    expect(await api.getEndpoint(endpointName(ID, "production", "nope"))).toBeNull();
    expect(await api.getCatalog(catalogName("nope_catalog"))).toBeNull();
    expect(await api.getSyncedTable(syncedTableName("nope_catalog.public.nope"))).toBeNull();
  });

  it("lists in pages that follow next_page_token, and `all` collects them", async () => {
    const first = await api.listProjects({ pageSize: 1 });
    expect(first.items).toHaveLength(1);
    const every = await api.all((page) => api.listProjects(page));
    expect(every.map((p) => p.name)).toContain(PROJECT);
  });

  it("a second create of the same id is 'already exists', never 'not found'", async () => {
    const error = await failure(api.createProject(ID));
    expect(isAlreadyExists(error)).toBe(true);
    expect(errorCodeOf(error)).toBe("ALREADY_EXISTS");
    expect(isNotFound(error)).toBe(false);
  });
});

describe("PostgresApi: branches", () => {
  it("creates a branch at the head with a TTL, changes its expiry, deletes it", async () => {
    const name = branchName(ID, "dev");
    const op = await api.createBranch(PROJECT, "dev", { source_branch: PRODUCTION, ttl: "3600s" });
    expect(op.name.startsWith(`${name}/operations/`)).toBe(true);
    const branch = await api.wait(op, FAST_WAIT);
    expect(branch.name).toBe(name);
    expect(branch.status?.current_state).toBe("READY");
    const firstExpiry = Date.parse(branch.status?.expire_time ?? "");
    expect(firstExpiry).toBeGreaterThan(Date.now() + 3500_000);

    // Every new branch gets its own read-write endpoint.
    const endpoints = await api.listEndpoints(name);
    expect(endpoints.items.map((e) => e.name)).toEqual([`${name}/endpoints/primary`]);

    const updated = await api.wait(await api.updateBranch(name, { ttl: "7200s" }), FAST_WAIT);
    expect(Date.parse(updated.status?.expire_time ?? "")).toBeGreaterThan(firstExpiry);

    await api.wait(await api.deleteBranch(name, { purge: true }), FAST_WAIT);
    expect(await api.getBranch(name)).toBeNull();
  });

  it("the root branch refuses deletion: 'invalid', with the service's code read past the SDK's parser", async () => {
    const error = await failure(api.deleteBranch(PRODUCTION));
    expect(isInvalid(error)).toBe(true);
    expect(errorCodeOf(error)).toBe("BAD_REQUEST");
    expect(isUnavailable(error)).toBe(false);
  });

  it("an id the service refuses is 'invalid'", async () => {
    expect(isInvalid(await failure(api.createBranch(PROJECT, "Not_An_Id", { no_expiry: true })))).toBe(true);
  });
});

describe("PostgresApi: endpoints and credentials", () => {
  it("adds a read-only endpoint, sets its compute and suspend timeout, disables it, deletes it", async () => {
    const name = endpointName(ID, "production", "reader");
    const created = await api.wait(
      await api.createEndpoint(PRODUCTION, "reader", {
        endpoint_type: "ENDPOINT_TYPE_READ_ONLY",
        autoscaling_limit_min_cu: 0.5,
        autoscaling_limit_max_cu: 2,
      }),
      FAST_WAIT,
    );
    expect(created.status).toMatchObject({
      endpoint_type: "ENDPOINT_TYPE_READ_ONLY",
      current_state: "ACTIVE",
    });

    const resized = await api.wait(
      await api.updateEndpoint(name, {
        autoscaling_limit_min_cu: 1,
        autoscaling_limit_max_cu: 4,
        suspend_timeout_duration: "300s",
      }),
      FAST_WAIT,
    );
    expect(resized.status).toMatchObject({
      autoscaling_limit_min_cu: 1,
      autoscaling_limit_max_cu: 4,
      suspend_timeout_duration: "300s",
    });
    const forever = await api.wait(await api.updateEndpoint(name, { no_suspension: true }), FAST_WAIT);
    expect(forever.status?.no_suspension).toBe(true);
    expect(forever.status?.suspend_timeout_duration).toBeUndefined();

    const disabled = await api.wait(await api.updateEndpoint(name, { disabled: true }), FAST_WAIT);
    expect(disabled.status?.disabled).toBe(true);

    await api.wait(await api.deleteEndpoint(name), FAST_WAIT);
    expect(await api.getEndpoint(name)).toBeNull();
  });

  it("a branch's read-write endpoint refuses deletion ('invalid')", async () => {
    expect(isInvalid(await failure(api.deleteEndpoint(PRIMARY)))).toBe(true);
  });

  it("a credential logs in at its endpoint; an unknown endpoint is 'not found'", async () => {
    const credential = await api.generateCredential({ endpoint: PRIMARY });
    expect(Date.parse(credential.expire_time)).toBeGreaterThan(Date.now());
    const endpoint = await api.getEndpoint(PRIMARY);
    const client = new pg.Client({
      host: endpoint?.status?.hosts?.host,
      port: endpoint?.x_local_pg_port,
      user: local.identity,
      password: credential.token,
      database: "databricks_postgres",
      ssl: { ca: local.caPem },
    });
    await client.connect();
    try {
      expect((await client.query("select 1 as one")).rows[0].one).toBe(1);
    } finally {
      await client.end();
    }
    const error = await failure(
      api.generateCredential({ endpoint: endpointName(ID, "production", "missing") }),
    );
    expect(isNotFound(error)).toBe(true);
  });
});

describe("PostgresApi: databases, roles, catalogs, synced tables", () => {
  it("creates a role and a database it owns, lists and deletes them", async () => {
    const owner = `owner-${process.pid}@example.com`;
    local.addUser(owner);
    const role = await api.wait(
      await api.createRole(PRODUCTION, "app-owner", {
        postgres_role: owner,
        identity_type: "USER",
        auth_method: "LAKEBASE_OAUTH_V1",
      }),
      FAST_WAIT,
    );
    const database = await api.wait(
      await api.createDatabase(PRODUCTION, "appdb", { postgres_database: "appdb", role: role.name }),
      FAST_WAIT,
    );
    expect(database.status).toMatchObject({ postgres_database: "appdb", role: role.name });
    expect((await api.listRoles(PRODUCTION)).items.map((r) => r.name)).toContain(role.name);
    await api.wait(await api.deleteDatabase(database.name), FAST_WAIT);
    expect(await api.getDatabase(database.name)).toBeNull();
    await api.wait(await api.deleteRole(role.name), FAST_WAIT);
    expect(await api.getRole(role.name)).toBeNull();
  });

  it("attaches a catalog and a synced table to a branch's database, then detaches them", async () => {
    const catalogId = `pgapi_${process.pid}_catalog`;
    const catalog = await api.wait(
      await api.createCatalog(catalogId, {
        branch: PRODUCTION,
        postgres_database: "orders",
        create_database_if_missing: true,
      }),
      FAST_WAIT,
    );
    expect(catalog.name).toBe(catalogName(catalogId));
    const fullName = `${catalogId}.public.orders_synced`;
    await api.wait(
      await api.createSyncedTable(fullName, {
        source_table_full_name: "samples.tpch.orders",
        primary_key_columns: ["o_orderkey"],
        scheduling_policy: "SNAPSHOT",
        branch: PRODUCTION,
        postgres_database: "orders",
        new_pipeline_spec: { storage_catalog: "main", storage_schema: "default" },
      }),
      FAST_WAIT,
    );
    let table = await api.getSyncedTable(syncedTableName(fullName));
    for (let i = 0; i < 400 && !table?.status?.detailed_state?.startsWith("SYNCED_TABLE_ONLINE"); i++) {
      await new Promise((r) => setTimeout(r, 25));
      table = await api.getSyncedTable(syncedTableName(fullName));
    }
    expect(table?.status?.detailed_state).toMatch(/^SYNCED_TABLE_ONLINE/);

    await api.wait(await api.deleteSyncedTable(syncedTableName(fullName)), FAST_WAIT);
    expect(await api.getSyncedTable(syncedTableName(fullName))).toBeNull();
    await api.wait(await api.deleteCatalog(catalog.name), FAST_WAIT);
    expect(await api.getCatalog(catalog.name)).toBeNull();
  });

  it("an operation that fails carries the service's code, and the classifier reads it", async () => {
    // The catalog's database does not exist and may not be created: the operation fails, the call did not.
    const error = await failure(
      api
        .createCatalog(`pgapi_${process.pid}_bad`, { branch: PRODUCTION, postgres_database: "no_such_db" })
        .then((op) => api.wait(op, FAST_WAIT)),
    );
    if (isOperationFailed(error)) {
      expect(error.operation).toMatch(/\/operations\//);
      expect(isNotFound(error)).toBe(true);
    } else {
      // Refused at the call (also the service's right): still "not found" by its status.
      expect(isNotFound(error)).toBe(true);
    }
  });
});

describe("PostgresApi: refusals and deadlines", () => {
  it("a refused identity is 'refused', never 'not found' or 'unavailable'", async () => {
    const stranger = new PostgresApi(sdkFor(local, local.addUser(`stranger-${process.pid}@example.com`)), {
      timeoutMs: 10_000,
    });
    const error = await failure(stranger.deleteBranch(branchName(ID, "production")));
    expect(isRefused(error)).toBe(true);
    expect(isNotFound(error)).toBe(false);
    expect(isUnavailable(error)).toBe(false);
  });

  it("a workspace that never answers: every call and PATCH ends at its deadline, 'unavailable'", async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const w = new WorkspaceClient({ host: `http://127.0.0.1:${port}`, token: "dapi-x", authType: "pat" });
      const hung = new PostgresApi(w, { timeoutMs: 300 });
      for (const call of [hung.getProject(PROJECT), hung.updateEndpoint(PRIMARY, { disabled: true })]) {
        const error = await failure(call);
        expect(error).toBeInstanceOf(DeadlineError);
        expect(isUnavailable(error)).toBe(true);
      }
    } finally {
      silent.close();
    }
  });

  it("a wait past its deadline ends with a DeadlineError (the work may still finish); an abort ends it at once", async () => {
    const never = { name: `${PROJECT}/operations/never`, done: false };
    const get = async () => never;
    const { pollOperation } = await import("./operations.ts");
    const late = await failure(pollOperation(get, never, { intervalMs: 10, timeoutMs: 50 }));
    expect(late).toBeInstanceOf(DeadlineError);
    const stop = new AbortController();
    const waiting = failure(pollOperation(get, never, { intervalMs: 10_000, signal: stop.signal }));
    stop.abort(new Error("stopping"));
    expect(((await waiting) as Error).message).toBe("stopping");
  });
});
