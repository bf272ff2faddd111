import type { WorkspaceClient } from "@databricks/sdk-experimental";
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
  until,
} from "../../testing/index.ts";
import { type LakebaseLocal, startLakebaseLocal } from "../lakebase-local.ts";

// Branches are real copies (a base backup of the parent replayed to the point): at head or in the past,
// writes isolated both ways, expiry, soft delete and purge. The parent is the default project.
let db: TestDatabase;
let local: LakebaseLocal;
let w: WorkspaceClient;
let project: string;
let production: string;

interface Branch {
  name: string;
  status: { current_state: string; source_branch?: string; source_branch_lsn?: string; expire_time?: string };
}

beforeAll(async () => {
  db = await createTestDatabase("lbl_branch");
  local = await startLakebaseLocal({
    postgres: { adminUrl: db.adminUrl },
    timings: FAST,
    sourceRows: 100,
    seed: {
      instanceName: "br-it",
      catalogName: "br_cat",
      databaseName: "orders",
      syncedTable: "public.orders_synced",
    },
  });
  w = sdkFor(local);
  project = local.projectName ?? "";
  production = local.branchName ?? "";
}, 60_000);

afterAll(async () => {
  await local?.stop();
  await db?.drop();
});

async function sql<T extends pg.QueryResultRow>(
  branch: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const endpoint = `${branch}/endpoints/primary`;
  const { token } = await postgresCall<{ token: string }>(w, "POST", "credentials", { body: { endpoint } });
  const client = new pg.Client({
    host: local.pgHost,
    port: local.portOf(endpoint),
    user: local.identity,
    password: token,
    database: "orders",
    ssl: { ca: local.caPem },
  });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

const notes = async (branch: string) =>
  (await sql<{ body: string }>(branch, "SELECT body FROM app_notes ORDER BY id")).map((r) => r.body);

describe("branches", () => {
  it("copies the parent at head and in the past (time and LSN); writes never cross", async () => {
    await sql(production, "CREATE TABLE app_notes (id serial PRIMARY KEY, body text NOT NULL)");
    await sql(production, "INSERT INTO app_notes (body) VALUES ('before')");
    const [lsn] = await sql<{ lsn: string }>(production, "SELECT pg_current_wal_insert_lsn()::text AS lsn");
    await new Promise((r) => setTimeout(r, 300));
    const past = new Date();
    await new Promise((r) => setTimeout(r, 300));
    await sql(production, "INSERT INTO app_notes (body) VALUES ('after')");

    const op = await postgresCall<PostgresOperation<Branch>>(w, "POST", `${project}/branches`, {
      query: { branch_id: "at-head" },
      body: { spec: { no_expiry: true } },
    });
    expect(op.done).toBe(false);
    expect((await postgresCall<Branch>(w, "GET", `${project}/branches/at-head`)).status.current_state).toBe(
      "INIT",
    );
    const atHead = await until(
      () => postgresCall<Branch>(w, "GET", `${project}/branches/at-head`),
      (b) => b.status.current_state === "READY",
      60_000,
    );
    expect(atHead.status.source_branch).toBe(production);
    expect(atHead.status.source_branch_lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    const inPast = await postgresMutate<Branch>(w, "POST", `${project}/branches`, {
      query: { branch_id: "in-past" },
      body: { spec: { source_branch: production, source_branch_time: past.toISOString(), no_expiry: true } },
    });
    expect(inPast.status.current_state).toBe("READY");
    const atLsn = await postgresMutate<Branch>(w, "POST", `${project}/branches`, {
      query: { branch_id: "at-lsn" },
      body: { spec: { source_branch_lsn: lsn?.lsn, ttl: "3600s" } },
    });
    expect(Date.parse(atLsn.status.expire_time ?? "")).toBeGreaterThan(Date.now() + 3_500_000);

    expect(await notes(atHead.name)).toEqual(["before", "after"]);
    expect(await notes(inPast.name)).toEqual(["before"]);
    expect(await notes(atLsn.name)).toEqual(["before"]);
    // The seeded synced table came along: a branch has all of its parent's data.
    const [count] = await sql<{ n: number }>(
      inPast.name,
      "SELECT count(*)::int AS n FROM public.orders_synced",
    );
    expect(count?.n).toBe(100);

    await sql(atHead.name, "INSERT INTO app_notes (body) VALUES ('on the branch')");
    await sql(production, "INSERT INTO app_notes (body) VALUES ('on production')");
    expect(await notes(atHead.name)).toEqual(["before", "after", "on the branch"]);
    expect(await notes(production)).toEqual(["before", "after", "on production"]);
    expect(await notes(inPast.name)).toEqual(["before"]);

    // A branch inherits its parent's databases and roles.
    const roles = await postgresCall<{ roles: { status: { postgres_role: string } }[] }>(
      w,
      "GET",
      `${atHead.name}/roles`,
    );
    expect(roles.roles.map((r) => r.status.postgres_role)).toContain(local.identity);
  }, 120_000);

  it("refuses points outside the history window and a missing expiration", async () => {
    const cases = [
      { source_branch_time: new Date(Date.now() + 60_000).toISOString(), no_expiry: true },
      { source_branch_time: new Date(Date.now() - 30 * 86_400_000).toISOString(), no_expiry: true },
      { source_branch_time: "2020-01-01T00:00:00Z", no_expiry: true },
      { source_branch_lsn: "not-an-lsn", no_expiry: true },
      { ttl: "60s", no_expiry: true },
      {},
    ];
    for (const spec of cases) {
      const error = await rejectionOf(
        postgresCall(w, "POST", `${project}/branches`, { query: { branch_id: "nope" }, body: { spec } }),
      );
      expect([JSON.stringify(spec), error.statusCode, error.errorCode]).toEqual([
        JSON.stringify(spec),
        400,
        "INVALID_PARAMETER_VALUE",
      ]);
    }
    const missing = await rejectionOf(
      postgresCall(w, "POST", `${project}/branches`, {
        query: { branch_id: "nope" },
        body: { spec: { source_branch: `${project}/branches/ghost`, no_expiry: true } },
      }),
    );
    expect([missing.statusCode, missing.errorCode]).toEqual([404, "NOT_FOUND"]);
  });

  it("expires a branch on time (soft delete: DELETED, off the list, no logins), undeletes and purges", async () => {
    const expiring = await postgresMutate<Branch>(w, "POST", `${project}/branches`, {
      query: { branch_id: "short-lived" },
      body: { spec: { no_expiry: true } },
    });
    const endpoint = `${expiring.name}/endpoints/primary`;
    const { token } = await postgresCall<{ token: string }>(w, "POST", "credentials", { body: { endpoint } });
    // A synced table of its own: its pipeline stops with the branch and comes back with it.
    const synced = "short_cat.public.orders_synced";
    await postgresMutate(w, "POST", "synced_tables", {
      query: { synced_table_id: synced },
      body: {
        spec: {
          branch: expiring.name,
          postgres_database: "orders",
          source_table_full_name: "samples.tpch.orders",
          primary_key_columns: ["o_orderkey"],
          scheduling_policy: "TRIGGERED",
          new_pipeline_spec: { storage_catalog: "main", storage_schema: "default" },
        },
      },
    });
    const syncedStatus = async () =>
      (
        await postgresCall<{ status: { detailed_state: string; pipeline_id: string } }>(
          w,
          "GET",
          `synced_tables/${synced}`,
        )
      ).status;
    const { pipeline_id } = await until(syncedStatus, (s) =>
      s.detailed_state.startsWith("SYNCED_TABLE_ONLINE"),
    );
    expect((await w.pipelines.get({ pipeline_id })).pipeline_id).toBe(pipeline_id);
    const updated = await postgresMutate<Branch>(w, "PATCH", expiring.name, {
      query: { update_mask: "spec.expiration" },
      body: { spec: { expire_time: new Date(Date.now() + 1_000).toISOString() } },
    });
    expect(updated.status.current_state).toBe("READY");
    const expired = await until(
      () => postgresCall<Branch & { status: { delete_time?: string } }>(w, "GET", expiring.name),
      (b) => b.status.current_state === "DELETED",
      15_000,
    );
    expect(Date.parse(expired.status.delete_time ?? "")).toBeGreaterThan(0);
    const listed = await postgresCall<{ branches: { name: string }[] }>(w, "GET", `${project}/branches`);
    expect(listed.branches.map((b) => b.name)).not.toContain(expiring.name);
    const withDeleted = await postgresCall<{ branches: { name: string }[] }>(
      w,
      "GET",
      `${project}/branches`,
      {
        query: { show_deleted: true },
      },
    );
    expect(withDeleted.branches.map((b) => b.name)).toContain(expiring.name);
    const refused = await rejectionOf(
      new pg.Client({
        host: local.pgHost,
        port: local.portOf(endpoint),
        user: local.identity,
        password: token,
        database: "orders",
        ssl: { ca: local.caPem },
      }).connect(),
    );
    expect(refused.code).toBe("08004");
    expect((await rejectionOf(w.pipelines.get({ pipeline_id }))).statusCode).toBe(404);

    // Undelete brings it back with its data (a new expiry is set by an update); purge removes it for good.
    await postgresMutate(w, "POST", `${expiring.name}/undelete`);
    await postgresMutate(w, "PATCH", expiring.name, {
      query: { update_mask: "spec.expiration" },
      body: { spec: { no_expiry: true } },
    });
    expect(await notes(expiring.name)).toContain("before");
    const { update_id } = await w.pipelines.startUpdate({ pipeline_id });
    const update = await until(
      () => w.pipelines.getUpdate({ pipeline_id, update_id: update_id ?? "" }),
      (u) => ["COMPLETED", "FAILED", "CANCELED"].includes(u.update?.state ?? ""),
    );
    expect(update.update?.state).toBe("COMPLETED");
    await postgresMutate(w, "DELETE", expiring.name, { query: { purge: true } });
    const gone = await rejectionOf(postgresCall(w, "GET", expiring.name));
    expect([gone.statusCode, gone.errorCode]).toEqual([404, "NOT_FOUND"]);
    const tableGone = await rejectionOf(postgresCall(w, "GET", `synced_tables/${synced}`));
    expect([tableGone.statusCode, tableGone.errorCode]).toEqual([404, "NOT_FOUND"]);
    expect((await rejectionOf(w.pipelines.get({ pipeline_id }))).statusCode).toBe(404);
  }, 60_000);
});
