// The Lakebase admin on Autoscaling, end to end through the app's tRPC router and REST routes, against the
// local Lakebase's `postgres` API (a real cluster per branch): create with its project, branch, catalog and
// synced table; branches and endpoints; stop and start; data on another branch; recovery of an operation
// whose process stopped; delete in dependency order; audit; and the Provisioned app answering
// PRECONDITION_FAILED (412 on REST) for the Autoscaling procedures. One local Lakebase for all (CI time).
import { randomUUID } from "node:crypto";
import { type Harness, namesFor, type Setup, setUp, startHarness, until } from "@lakebase-orders/api/testing";
import { LOCAL_ADMIN } from "@lakebase-orders/config";
import { PostgresApi } from "@lakebase-orders/lakebase-api";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../../routers/app-router.ts";

let h: Harness;
let s: Setup;
let api: PostgresApi;
const names = { ...namesFor("as"), autoscaling: true };
const PROJECT = `projects/${names.instanceName}`;
const BRANCH = `${PROJECT}/branches/production`;
const PRIMARY = `${BRANCH}/endpoints/primary`;
/** When the project's synced table was ONLINE (the first test). */
let onlineAt = 0;

beforeAll(async () => {
  h = await startHarness("api_autoscaling");
  s = setUp(h, names);
  api = new PostgresApi(h.sdk);
}, 120_000);

afterAll(async () => {
  await s?.service.close();
  await h?.close();
});

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCClientError);
    const e = error as TRPCClientError<AppRouter>;
    return { code: e.data?.code, message: e.message };
  }
  throw new Error("expected a rejection");
}

async function auditRows(prefix: string, since: Date) {
  const rows = await h.db.prisma.adminAudit.findMany({
    where: { at: { gte: since } },
    orderBy: { id: "asc" },
  });
  return rows.filter((r) => r.action.startsWith(prefix));
}

/** A REST call (`/api/v1`), as `email` (default the local admin). */
async function call(method: string, path: string, email?: string) {
  const res = await s.app.request(`http://api.test/api/v1${path}`, {
    method,
    headers: { "X-Forwarded-Email": email ?? LOCAL_ADMIN },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Waits for the running operation (background work included) to end, and answers the status then. */
async function settled() {
  await s.service.idle();
  return s.client().lakebase.status.query();
}

describe("Lakebase Autoscaling admin", () => {
  it("creates the project with its production branch and primary endpoint, then the catalog and synced table", async () => {
    const client = s.client();
    const before = await client.lakebase.status.query();
    expect(before.flavour).toBe("autoscaling");
    expect(before.instance).toBeNull();
    expect(before.config.autoscaling).toEqual({
      project: PROJECT,
      branch: BRANCH,
      endpoint: PRIMARY,
      readEndpoint: "discover",
    });

    const created = await client.lakebase.create.mutate({
      acknowledgeCost: true,
      compute: { minCu: 0.5, maxCu: 2, suspendTimeoutSeconds: 300 },
    });
    expect(created.resources.map((r) => [r.resource, r.outcome])).toEqual([
      ["project", "created"],
      ["branch", "created"],
      ["catalog", "created"],
      ["syncedTable", "created"],
    ]);
    const status = await settled();
    expect(status.operation).toMatchObject({ kind: "create", outcome: "succeeded" });
    expect(status.instance).toMatchObject({ name: names.instanceName, state: "AVAILABLE", stopped: false });
    expect(status.syncedTable?.detailedState).toMatch(/^SYNCED_TABLE_ONLINE/);
    const kinds = status.resources.map((r) => `${r.kind}:${r.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        `project:${PROJECT}`,
        `branch:${BRANCH}`,
        `endpoint:${PRIMARY}`,
        `catalog:catalogs/${names.catalogName}`,
        `syncedTable:${names.syncedTable}`,
      ]),
    );
    const primary = status.resources.find((r) => r.kind === "endpoint" && r.name === PRIMARY);
    expect(primary).toMatchObject({
      inUse: true,
      detail: { type: "read-write", minCu: 0.5, maxCu: 2, suspendTimeoutSeconds: 300, disabled: false },
    });
    onlineAt = Date.now();
  });

  it("a retried create finds everything and creates nothing", async () => {
    const posts = () => h.local.counters().routes["POST /api/2.0/postgres/projects"] ?? 0;
    const before = posts();
    const again = await s.client().lakebase.create.mutate({ acknowledgeCost: true });
    expect(again.resources.map((r) => r.outcome)).toEqual(["existing", "existing", "existing", "existing"]);
    expect((await settled()).operation?.outcome).toBe("succeeded");
    expect(posts()).toBe(before);
  });

  it("creates a branch with a TTL (a retry finds it), lists it, refuses a wrong confirmation, deletes it", async () => {
    const since = new Date();
    const client = s.client();
    const started = await client.lakebase.branches.create.mutate({ branchId: "dev", ttlSeconds: 3600 });
    expect(started).toMatchObject({
      kind: "branch.create",
      resource: `${PROJECT}/branches/dev`,
      outcome: "started",
    });
    expect(started.databricksOperation).toMatch(/\/operations\//);
    expect((await settled()).operation).toMatchObject({ id: started.operationId, outcome: "succeeded" });

    const { branches } = await client.lakebase.branches.list.query();
    const dev = branches.find((b) => b.id === "dev");
    expect(dev).toMatchObject({
      state: "READY",
      parent: PROJECT,
      inUse: false,
      detail: { isDefault: false },
    });
    expect(Date.parse(dev?.detail.expiresAt ?? "")).toBeGreaterThan(Date.now() + 3_000_000);
    expect(branches.find((b) => b.id === "production")?.inUse).toBe(true);

    const retry = await client.lakebase.branches.create.mutate({ branchId: "dev", ttlSeconds: 3600 });
    expect(retry.outcome).toBe("existing");
    await settled();

    expect(
      await rejection(client.lakebase.branches.delete.mutate({ branchId: "dev", confirmName: "de" })),
    ).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining('"dev"'),
    });
    expect(
      await rejection(
        client.lakebase.branches.delete.mutate({ branchId: "production", confirmName: "production" }),
      ),
    ).toMatchObject({ code: "PRECONDITION_FAILED" });

    const deleted = await client.lakebase.branches.delete.mutate({ branchId: "dev", confirmName: "dev" });
    expect(deleted.outcome).toBe("started");
    await settled();
    expect((await client.lakebase.branches.list.query()).branches.map((b) => b.id)).not.toContain("dev");
    const gone = await client.lakebase.branches.delete.mutate({ branchId: "dev", confirmName: "dev" });
    expect(gone.outcome).toBe("not_found");

    const rows = await auditRows("lakebase.branch", since);
    expect(rows.map((r) => [r.action, r.outcome])).toEqual(
      expect.arrayContaining([
        ["lakebase.branches.create", "accepted"],
        ["lakebase.branch.create.finished", "succeeded"],
        ["lakebase.branches.delete", "rejected"],
        ["lakebase.branches.delete", "accepted"],
        ["lakebase.branch.delete.finished", "succeeded"],
      ]),
    );
    expect(rows.every((r) => r.actor === LOCAL_ADMIN)).toBe(true);
    // They held the lease across processes: the journal recorded them under the project id.
    const journal = await h.db.pool.query<{ kind: string; outcome: string }>(
      "SELECT kind, outcome FROM app_data.lakebase_operation WHERE instance_name = $1 AND started_at >= $2 ORDER BY started_at",
      [names.instanceName, since],
    );
    expect(journal.rows.map((r) => [r.kind, r.outcome])).toEqual([
      ["branch.create", "succeeded"],
      ["branch.create", "succeeded"],
      ["branch.delete", "succeeded"],
      ["branch.delete", "succeeded"],
    ]);
  });

  it("creates a branch from a past point in time", async () => {
    // Within the history: the local Lakebase's starts at the project's first stored backup, taken beside its
    // creation and done before its synced table is ONLINE (a point a moment after creation may precede it).
    const pointInTime = new Date(Math.max(Date.now() - 1000, onlineAt)).toISOString();
    await s.client().lakebase.branches.create.mutate({ branchId: "past", pointInTime, noExpiry: true });
    expect((await settled()).operation?.outcome).toBe("succeeded");
    const branch = await api.getBranch(`${PROJECT}/branches/past`);
    expect(Date.parse(branch?.status?.source_branch_time ?? "")).toBe(Date.parse(pointInTime));
    expect(branch?.status?.expire_time).toBeUndefined();
  });

  it("attaches a catalog and the synced table to another branch's database", async () => {
    const started = await s.client().lakebase.data.attach.mutate({ branchId: "past" });
    expect(started).toMatchObject({ kind: "data.attach", resource: `catalogs/${names.catalogName}_past` });
    expect((await settled()).operation?.outcome).toBe("succeeded");
    const table = await api.getSyncedTable(`synced_tables/${names.catalogName}_past.public.orders_synced`);
    expect(table?.status?.detailed_state).toMatch(/^SYNCED_TABLE_ONLINE/);
    const catalog = await api.getCatalog(`catalogs/${names.catalogName}_past`);
    expect(catalog?.status?.branch).toBe(`${PROJECT}/branches/past`);
    // Deleting the branch takes its data with it, first.
    await s.client().lakebase.branches.delete.mutate({ branchId: "past", confirmName: "past" });
    expect((await settled()).operation?.outcome).toBe("succeeded");
    expect(await api.getCatalog(`catalogs/${names.catalogName}_past`)).toBeNull();
  });

  it("adds a read-only endpoint, sets its compute and suspend timeout, deletes it; the primary cannot go", async () => {
    const client = s.client();
    await client.lakebase.endpoints.create.mutate({ endpointId: "reader", minCu: 0.5, maxCu: 1 });
    await settled();
    const reader = `${BRANCH}/endpoints/reader`;
    let { endpoints } = await client.lakebase.endpoints.list.query();
    expect(endpoints.find((e) => e.name === reader)).toMatchObject({
      inUse: false,
      detail: { type: "read-only", minCu: 0.5, maxCu: 1 },
    });

    await client.lakebase.endpoints.update.mutate({
      endpointId: "reader",
      maxCu: 4,
      suspendTimeoutSeconds: null,
    });
    await settled();
    ({ endpoints } = await client.lakebase.endpoints.list.query({}));
    expect(endpoints.find((e) => e.name === reader)?.detail).toMatchObject({
      maxCu: 4,
      suspendTimeoutSeconds: null,
    });

    // Without an endpoint id: the app's read-write endpoint.
    await client.lakebase.endpoints.update.mutate({ suspendTimeoutSeconds: 600 });
    await settled();
    expect((await api.getEndpoint(PRIMARY))?.status?.suspend_timeout_duration).toBe("600s");

    expect(await rejection(client.lakebase.endpoints.update.mutate({ minCu: 4, maxCu: 1 }))).toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(
      await rejection(
        client.lakebase.endpoints.delete.mutate({ endpointId: "primary", confirmName: "primary" }),
      ),
    ).toMatchObject({ code: "BAD_REQUEST" });

    await client.lakebase.endpoints.delete.mutate({ endpointId: "reader", confirmName: "reader" });
    await settled();
    expect(await api.getEndpoint(reader)).toBeNull();
  });

  it("stops (disables the read-write endpoint) and starts again", async () => {
    const client = s.client();
    const stopped = await client.lakebase.stop.mutate();
    expect(stopped.instance).toMatchObject({ state: "STOPPED", stopped: true });
    expect((await api.getEndpoint(PRIMARY))?.status?.disabled).toBe(true);
    expect((await client.lakebase.status.query()).instance?.state).toBe("STOPPED");
    const started = await client.lakebase.start.mutate();
    expect(started.instance).toMatchObject({ state: "AVAILABLE", stopped: false });
    expect((await api.getEndpoint(PRIMARY))?.status?.disabled).toBe(false);
  });

  it("refuses non-admins before anything else, and audits it", async () => {
    const since = new Date();
    const analyst = s.client("analyst@example.com");
    expect(
      await rejection(analyst.lakebase.branches.create.mutate({ branchId: "x", noExpiry: true })),
    ).toMatchObject({
      code: "FORBIDDEN",
    });
    // Reads are open, as the status is.
    expect((await analyst.lakebase.branches.list.query()).branches.length).toBeGreaterThan(0);
    expect((await auditRows("lakebase.branches.create", since)).map((r) => r.outcome)).toEqual(["forbidden"]);
  });

  // The REST routes (`/api/v1/resources/branches...`) call the procedures they mirror: here, what REST adds
  // (snake_case in and out, ids in the path, 400/403 as `{detail}`), on the same project.
  it("REST: list, create and delete a branch, with snake_case in and out", async () => {
    const listed = await call("GET", "/resources/branches");
    expect(listed.status).toBe(200);
    expect(listed.body.branches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: "branch",
          id: "production",
          in_use: true,
          detail: expect.objectContaining({ is_default: true }),
        }),
      ]),
    );
    const created = await call("POST", "/resources/branches?branch_id=feature-1&ttl_seconds=600");
    expect(created).toMatchObject({
      status: 200,
      body: { kind: "branch.create", resource: `${PROJECT}/branches/feature-1`, outcome: "started" },
    });
    await s.service.idle();
    const status = await call("GET", "/resources/status");
    expect(status.body).toMatchObject({
      flavour: "autoscaling",
      operation: { kind: "branch.create", outcome: "succeeded" },
    });

    expect(await call("DELETE", "/resources/branches/feature-1?confirm_name=nope")).toMatchObject({
      status: 400,
      body: { detail: expect.stringContaining("feature-1") },
    });
    const deleted = await call("DELETE", "/resources/branches/feature-1?confirm_name=feature-1");
    expect(deleted).toMatchObject({ status: 200, body: { kind: "branch.delete", outcome: "started" } });
    await s.service.idle();
  });

  it("REST endpoints: add, set compute (no_suspension), list, delete", async () => {
    expect(
      (await call("POST", "/resources/branches/production/endpoints?endpoint_id=ro&min_cu=0.5&max_cu=1"))
        .status,
    ).toBe(200);
    await s.service.idle();
    const patched = await call(
      "PATCH",
      "/resources/branches/production/endpoints/ro?max_cu=2&no_suspension=true",
    );
    expect(patched).toMatchObject({
      status: 200,
      body: { kind: "endpoint.update", resource: `${PROJECT}/branches/production/endpoints/ro` },
    });
    await s.service.idle();
    const listed = await call("GET", "/resources/branches/production/endpoints");
    expect(listed.body.endpoints).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: "ro",
          detail: expect.objectContaining({ type: "read-only", max_cu: 2, suspend_timeout_seconds: null }),
        }),
      ]),
    );
    expect((await call("DELETE", "/resources/branches/production/endpoints/ro?confirm_name=ro")).status).toBe(
      200,
    );
    await s.service.idle();
  });

  it("REST: bad input is 400 naming the REST field; non-admins 403 before anything else", async () => {
    expect(await call("POST", "/resources/branches?branch_id=Bad_Id&no_expiry=true")).toMatchObject({
      status: 400,
      body: { detail: expect.stringContaining("branch_id") },
    });
    expect(await call("POST", "/resources/branches?branch_id=x1")).toMatchObject({
      status: 400,
      body: { detail: expect.stringContaining("ttl_seconds") },
    });
    expect(await call("PATCH", "/resources/branches/production/endpoints/primary?min_cu=0.3")).toMatchObject({
      status: 400,
      body: { detail: expect.stringContaining("min_cu") },
    });
    expect(
      (await call("POST", "/resources/branches?branch_id=x1&no_expiry=true", "analyst@example.com")).status,
    ).toBe(403);
  });

  it("an operation whose process stopped is settled from the resources by the next process's recovery", async () => {
    // A start left running in the journal by a process that is gone (its lease ran out): the next process of
    // the app (here with a 1 s lease, so it confirms within a second) judges it against the endpoint.
    const next = setUp(h, names, { leaseSeconds: 1 });
    const id = randomUUID();
    try {
      await h.db.pool.query(
        `INSERT INTO app_data.lakebase_operation (id, instance_name, kind, actor, owner, started_at, step, lease_until)
         VALUES ($1, $2, 'start', $3, 'gone:1:dead', now() - interval '1 minute', 'enabling the endpoint', now() - interval '1 second')`,
        [id, names.instanceName, LOCAL_ADMIN],
      );
      await next.service.recover();
      const { rows } = await h.db.pool.query<{ outcome: string; finished: boolean }>(
        "SELECT outcome, finished_at IS NOT NULL AS finished FROM app_data.lakebase_operation WHERE id = $1",
        [id],
      );
      // The endpoint runs (the stop and start above ended with it enabled): the start had succeeded.
      expect(rows[0]).toEqual({ outcome: "succeeded", finished: true });
      const audited = await h.db.prisma.adminAudit.findMany({ where: { action: "lakebase.start.finished" } });
      expect(audited.some((r) => JSON.stringify(r.detail).includes(id))).toBe(true);
    } finally {
      await next.service.close();
    }
  });

  it("deletes in dependency order after the project id is typed", async () => {
    const client = s.client();
    expect(await rejection(client.lakebase.delete.mutate({ confirmName: "wrong" }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining(`project id "${names.instanceName}"`),
    });
    const result = await client.lakebase.delete.mutate({ confirmName: names.instanceName });
    // The answer waits a few seconds at most (a project's delete stops every compute of every branch), then
    // says `deleting` for what is still going on, and the operation goes on (watched in the status).
    const done = expect.stringMatching(/^(deleted|deleting)$/);
    expect(result.steps.map((st) => [st.resource, st.outcome])).toEqual([
      ["syncedTable", done],
      ["catalog", done],
      ["project", done],
    ]);
    expect((await settled()).operation).toMatchObject({ kind: "delete", outcome: "succeeded" });
    const status = await until(
      () => client.lakebase.status.query(),
      (st) => st.instance === null,
    );
    expect(status.resources).toEqual([]);
    expect(await api.getProject(PROJECT)).toBeNull();
  });
});

describe("the Autoscaling procedures on a Provisioned app", () => {
  it("answer PRECONDITION_FAILED (admins) and FORBIDDEN (everyone else)", async () => {
    const provisioned = setUp(h, namesFor("prov"));
    try {
      const admin = provisioned.client();
      const status = await admin.lakebase.status.query();
      expect(status.flavour).toBe("provisioned");
      expect(status.config.autoscaling).toBeNull();
      for (const call of [
        admin.lakebase.branches.list.query(),
        admin.lakebase.branches.create.mutate({ branchId: "dev", noExpiry: true }),
        admin.lakebase.endpoints.update.mutate({ maxCu: 2 }),
        admin.lakebase.data.attach.mutate({}),
      ]) {
        expect(await rejection(call)).toMatchObject({
          code: "PRECONDITION_FAILED",
          message: expect.stringContaining("Autoscaling"),
        });
      }
      const rest = await provisioned.app.request("http://api.test/api/v1/resources/branches", {
        headers: { "X-Forwarded-Email": LOCAL_ADMIN },
      });
      expect(rest.status).toBe(412);
      expect(((await rest.json()) as { detail: string }).detail).toMatch(/Autoscaling/);
      expect(
        await rejection(
          provisioned
            .client("x@example.com")
            .lakebase.endpoints.delete.mutate({ endpointId: "r", confirmName: "r" }),
        ),
      ).toMatchObject({ code: "FORBIDDEN" });
      expect(
        await rejection(admin.lakebase.create.mutate({ acknowledgeCost: true, compute: { maxCu: 2 } })),
      ).toMatchObject({ code: "PRECONDITION_FAILED" });
    } finally {
      await provisioned.service.close();
    }
  });
});
