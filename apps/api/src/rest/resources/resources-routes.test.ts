import {
  type Harness,
  namesFor,
  routeCalls,
  type Setup,
  setUp,
  startHarness,
} from "@lakebase-orders/api/testing";
import { LOCAL_ADMIN } from "@lakebase-orders/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let h: Harness;

beforeAll(async () => {
  h = await startHarness("api_rest_lakebase");
}, 120_000);

afterAll(async () => {
  await h?.close();
});

async function call(s: Setup, method: string, path: string, email?: string) {
  const res = await s.app.request(`http://api.test${path}`, {
    method,
    // The local identity is an admin only at a loopback Host (issue 26): here it names itself, as behind a proxy.
    headers: { "X-Forwarded-Email": email ?? LOCAL_ADMIN },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function auditRows(since: Date) {
  const rows = await h.db.prisma.adminAudit.findMany({
    where: { at: { gte: since } },
    orderBy: { id: "asc" },
  });
  return rows.filter((r) => r.action.startsWith("lakebase."));
}

const CREATE = "/api/v1/resources/create-lakebase-resources";
const DELETE = "/api/v1/resources/delete-lakebase-resources";

describe("the lifecycle routes against the local Lakebase", () => {
  it("creates, shows progress, deletes: the admin's results per resource, audited as tRPC audits them", async () => {
    const config = namesFor("rest");
    const s = setUp(h, config);
    const since = new Date();
    const created = await call(s, "POST", `${CREATE}?create_resources=true&capacity=CU_2&node_count=1`);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      instance: config.instanceName,
      catalog: config.catalogName,
      synced_table: config.syncedTable,
      operation_id: expect.any(String),
      resources: [
        { resource: "instance", name: config.instanceName, outcome: "created" },
        { resource: "catalog", name: config.catalogName, outcome: "created" },
        { resource: "syncedTable", name: config.syncedTable, outcome: "created" },
      ],
    });
    expect(created.body.message).toMatch(/GET \/api\/v1\/resources\/status/);
    await s.service.idle();

    const status = await call(s, "GET", "/api/v1/resources/status");
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      configured: true,
      instance: { name: config.instanceName, state: "AVAILABLE", capacity: "CU_2", node_count: 1 },
      catalog: { name: config.catalogName },
      synced_table: {
        name: config.syncedTable,
        progress: { synced_rows: 600, total_rows: 600, fraction: 1 },
      },
      operation: { kind: "create", outcome: "succeeded", actor: LOCAL_ADMIN },
      viewer: { email: LOCAL_ADMIN, actor: LOCAL_ADMIN, is_admin: true },
    });

    // Again: everything exists already (the guide would have stopped at the instance).
    const again = await call(s, "POST", `${CREATE}?create_resources=true`);
    expect(again.body.message).toMatch(/Nothing left to provision\.$/);
    expect((again.body.resources as { outcome: string }[]).map((r) => r.outcome)).toEqual([
      "existing",
      "existing",
      "existing",
    ]);
    await s.service.idle();

    const deleted = await call(s, "DELETE", `${DELETE}?confirm_deletion=true`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({
      deleted_resources: [
        `Synced table: ${config.syncedTable}`,
        `Catalog: ${config.catalogName}`,
        `Database instance: ${config.instanceName}`,
      ],
      failed_deletions: [],
      message: "All 3 resources deleted successfully.",
      steps: [
        { resource: "syncedTable", outcome: "deleted" },
        { resource: "catalog", outcome: "deleted" },
        { resource: "instance", outcome: "deleted" },
      ],
    });
    const rows = await auditRows(since);
    expect(rows.map((r) => [r.actor, r.action, r.outcome])).toEqual([
      [LOCAL_ADMIN, "lakebase.create", "accepted"],
      [LOCAL_ADMIN, "lakebase.create.finished", "succeeded"],
      [LOCAL_ADMIN, "lakebase.create", "accepted"],
      [LOCAL_ADMIN, "lakebase.create.finished", "succeeded"],
      [LOCAL_ADMIN, "lakebase.delete", "succeeded"],
    ]);
    expect(rows[0]?.input).toEqual({ acknowledgeCost: true, capacity: "CU_2", nodeCount: 1 });
    await s.service.close();
  });

  it("deleting what does not exist says so per resource", async () => {
    const config = namesFor("gone");
    const s = setUp(h, config);
    const deleted = await call(s, "DELETE", `${DELETE}?confirm_deletion=true`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({
      deleted_resources: [],
      failed_deletions: [],
      message: "All 0 resources deleted successfully. 3 did not exist.",
      steps: [{ outcome: "not_found" }, { outcome: "not_found" }, { outcome: "not_found" }],
    });
    await s.service.close();
  });

  it("refuses non-admins with 403 before any input check or Databricks call, and audits it", async () => {
    const config = namesFor("rforb");
    const s = setUp(h, config);
    const since = new Date();
    const calls = routeCalls(h.local);
    const mallory = "mallory@example.com";
    for (const [method, path] of [
      ["POST", `${CREATE}?create_resources=true`],
      ["POST", `${CREATE}?create_resources=false&capacity=CU_99`],
      ["DELETE", `${DELETE}?confirm_deletion=true`],
    ] as const) {
      const r = await call(s, method, path, mallory);
      expect(r, path).toEqual({
        status: 403,
        body: { detail: "Only Lakebase admins (APP_ADMINS) may do this" },
      });
    }
    expect(routeCalls(h.local)).toBe(calls);
    const rows = await auditRows(since);
    expect(rows.map((r) => [r.actor, r.action, r.outcome])).toEqual([
      [mallory, "lakebase.create", "forbidden"],
      [mallory, "lakebase.create", "forbidden"],
      [mallory, "lakebase.delete", "forbidden"],
    ]);
    // The input as the REST caller spelled it, parsed by the route's own schema (not the tRPC one).
    expect(rows[0]?.input).toMatchObject({ create_resources: true });
    expect(rows[1]?.input).toMatchObject({
      invalid: true,
      issues: expect.arrayContaining([expect.objectContaining({ path: "capacity" })]),
    });
    expect(rows[2]?.input).toEqual({ confirm_deletion: true });
    // The status is for everyone, and tells them they are not an admin.
    const status = await call(s, "GET", "/api/v1/resources/status", mallory);
    expect(status.body).toMatchObject({ viewer: { email: mallory, is_admin: false }, instance: null });
    await s.service.close();
  });

  it("answers 400 saying why unless create_resources and confirm_deletion are true, auditing the refusals", async () => {
    const config = namesFor("rbad");
    const s = setUp(h, config);
    const since = new Date();
    const calls = routeCalls(h.local);
    const cases: [string, string, RegExp][] = [
      ["POST", CREATE, /^create_resources must be true: Lakebase resources cost money/],
      ["POST", `${CREATE}?create_resources=false`, /^create_resources must be true: /],
      ["POST", `${CREATE}?create_resources=true&capacity=CU_3`, /^capacity: Invalid option/],
      ["POST", `${CREATE}?create_resources=true&node_count=9`, /^node_count: Too big/],
      ["DELETE", DELETE, /^confirm_deletion must be true: /],
      ["DELETE", `${DELETE}?confirm_deletion=no`, /^confirm_deletion must be true: /],
    ];
    for (const [method, path, detail] of cases) {
      const r = await call(s, method, path);
      expect(r.status, path).toBe(400);
      expect(r.body.detail, path).toMatch(detail);
    }
    expect(routeCalls(h.local)).toBe(calls);
    const rows = await auditRows(since);
    expect(rows.map((r) => [r.action, r.outcome])).toEqual([
      ...Array(4).fill(["lakebase.create", "rejected"]),
      ...Array(2).fill(["lakebase.delete", "rejected"]),
    ]);
    expect(rows.map((r) => (r.input as { issues?: { path: string }[] }).issues?.[0]?.path)).toEqual([
      "create_resources",
      "create_resources",
      "capacity",
      "node_count",
      "confirm_deletion",
      "confirm_deletion",
    ]);
    await s.service.close();
  });

  it("says 412 when Databricks is not configured", async () => {
    const s = setUp(h, { ...namesFor("rnc"), configured: false });
    const r = await call(s, "POST", `${CREATE}?create_resources=true`);
    expect(r).toEqual({ status: 412, body: { detail: "Databricks is not configured" } });
    await s.service.close();
  });
});
