import { type Harness, namesFor, routeCalls, setUp, startHarness, until } from "@lakebase-orders/api/testing";
import { LOCAL_ADMIN } from "@lakebase-orders/config";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../routers/app-router.ts";

let h: Harness;

beforeAll(async () => {
  h = await startHarness("api_lakebase");
}, 120_000);

afterAll(async () => {
  await h?.close();
});

function trpcError(error: unknown) {
  expect(error).toBeInstanceOf(TRPCClientError);
  const e = error as TRPCClientError<AppRouter>;
  return { code: e.data?.code, message: e.message, databricks: e.data?.databricks ?? null };
}

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return trpcError(error);
  }
  throw new Error("expected a rejection");
}

async function auditRows(actionPrefix: string, since: Date) {
  const rows = await h.db.prisma.adminAudit.findMany({
    where: { at: { gte: since } },
    orderBy: { id: "asc" },
  });
  return rows.filter((r) => r.action.startsWith(actionPrefix));
}

/** Instance, catalog and synced table as the local Lakebase sees them, through the REST API. */
async function exists(config: ReturnType<typeof namesFor>) {
  const probe = async (f: () => Promise<unknown>) =>
    f().then(
      () => true,
      (e: { statusCode?: number }) => {
        if (e.statusCode === 404) return false;
        throw e;
      },
    );
  return {
    instance: await probe(() => h.sdk.database.getDatabaseInstance({ name: config.instanceName })),
    catalog: await probe(() => h.sdk.database.getDatabaseCatalog({ name: config.catalogName })),
    syncedTable: await probe(() => h.sdk.database.getSyncedDatabaseTable({ name: config.syncedTable })),
  };
}

describe("lakebase router against the local Lakebase", () => {
  it("creates idempotently: a second create reports every resource as existing", async () => {
    const config = namesFor("idem");
    const s = setUp(h, config);
    const first = await s.client().lakebase.create.mutate({ acknowledgeCost: true });
    expect(first.resources.map((r) => [r.resource, r.outcome])).toEqual([
      ["instance", "created"],
      ["catalog", "created"],
      ["syncedTable", "created"],
    ]);
    await s.service.idle();
    const status = await s.client().lakebase.status.query();
    expect(status.operation?.outcome).toBe("succeeded");
    expect(status.syncedTable?.detailedState).toMatch(/^SYNCED_TABLE_ONLINE/);
    expect(status.syncedTable?.progress).toEqual({ syncedRows: 600, totalRows: 600, fraction: 1 });
    expect(status.viewer).toEqual({ email: LOCAL_ADMIN, actor: LOCAL_ADMIN, isAdmin: true });

    const postsBefore = h.local.counters().routes["POST /api/2.0/database/instances"] ?? 0;
    const second = await s.client().lakebase.create.mutate({ acknowledgeCost: true });
    expect(second.resources.map((r) => r.outcome)).toEqual(["existing", "existing", "existing"]);
    await s.service.idle();
    expect(h.local.counters().routes["POST /api/2.0/database/instances"] ?? 0).toBe(postsBefore);
    expect((await s.client().lakebase.status.query()).operation?.outcome).toBe("succeeded");
    await s.service.close();
  });

  it("deletes partly missing resources in order: synced table, catalog, instance", async () => {
    const config = namesFor("part");
    const s = setUp(h, config);
    // Only the instance and the catalog exist (as after a synced table was removed by hand).
    await (
      await h.sdk.database.createDatabaseInstance({
        database_instance: { name: config.instanceName, capacity: "CU_1" },
      })
    ).wait({
      timeout: undefined,
    });
    await h.sdk.database.createDatabaseCatalog({
      catalog: {
        name: config.catalogName,
        database_instance_name: config.instanceName,
        database_name: config.databaseName,
        create_database_if_not_exists: true,
      },
    });
    const result = await s.client().lakebase.delete.mutate({ confirmName: config.instanceName });
    expect(result.steps).toEqual([
      { resource: "syncedTable", name: config.syncedTable, outcome: "not_found" },
      { resource: "catalog", name: config.catalogName, outcome: "deleted" },
      { resource: "instance", name: config.instanceName, outcome: "deleted" },
    ]);
    expect(await exists(config)).toEqual({ instance: false, catalog: false, syncedTable: false });
    // Nothing at all left: every step says not_found.
    const again = await s.client().lakebase.delete.mutate({ confirmName: config.instanceName });
    expect(again.steps.map((x) => x.outcome)).toEqual(["not_found", "not_found", "not_found"]);
    await s.service.close();
  });

  it("deletes in order, each resource gone before the next is asked, and names the pipeline", async () => {
    const config = namesFor("order");
    const s = setUp(h, config);
    await s.client().lakebase.create.mutate({ acknowledgeCost: true });
    await s.service.idle();
    const pipelineId = (await s.client().lakebase.status.query()).syncedTable?.pipelineId;
    expect(pipelineId).toBeTruthy();

    // Watch the order from the outside: whenever a delete call arrives, what still exists.
    const seen: string[] = [];
    const before = { ...h.local.counters().routes };
    const delta = () => {
      const now = h.local.counters().routes;
      return Object.keys(now).filter((k) => k.startsWith("DELETE") && (now[k] ?? 0) > (before[k] ?? 0));
    };
    const watcher = setInterval(() => {
      for (const k of delta()) if (!seen.includes(k)) seen.push(k);
    }, 1);
    const result = await s.client().lakebase.delete.mutate({ confirmName: config.instanceName });
    clearInterval(watcher);
    for (const k of delta()) if (!seen.includes(k)) seen.push(k);
    expect(result.steps.map((x) => [x.resource, x.outcome])).toEqual([
      ["syncedTable", "deleted"],
      ["catalog", "deleted"],
      ["instance", "deleted"],
    ]);
    expect(seen.map((k) => k.split(" ")[1]?.split("/")[4])).toEqual([
      "synced_tables",
      "catalogs",
      "instances",
    ]);
    expect(result.pipelineId).toBe(pipelineId);
    expect(result.note).toContain(pipelineId);
    expect(await exists(config)).toEqual({ instance: false, catalog: false, syncedTable: false });
    // purge_data=true: the Postgres table went with the synced table (the database itself is gone too).
    await s.service.close();
  });

  it("refuses non-admins with FORBIDDEN before any Databricks call, and audits the refusal", async () => {
    const config = namesFor("forb");
    const s = setUp(h, config);
    const since = new Date();
    const calls = routeCalls(h.local);
    const mallory = s.client("mallory@example.com");
    for (const attempt of [
      () => mallory.lakebase.create.mutate({ acknowledgeCost: true }),
      () => mallory.lakebase.delete.mutate({ confirmName: config.instanceName }),
      () => mallory.lakebase.stop.mutate(),
      () => mallory.lakebase.start.mutate(),
    ]) {
      expect((await rejection(attempt())).code).toBe("FORBIDDEN");
    }
    expect(routeCalls(h.local)).toBe(calls);
    const rows = await auditRows("lakebase.", since);
    expect(rows.map((r) => [r.actor, r.action, r.outcome])).toEqual([
      ["mallory@example.com", "lakebase.create", "forbidden"],
      ["mallory@example.com", "lakebase.delete", "forbidden"],
      ["mallory@example.com", "lakebase.stop", "forbidden"],
      ["mallory@example.com", "lakebase.start", "forbidden"],
    ]);
    // Anyone may read the status, and learns they are not an admin.
    const status = await mallory.lakebase.status.query();
    expect(status.viewer).toMatchObject({ email: "mallory@example.com", isAdmin: false });
    expect(status.instance).toBeNull();
    await s.service.close();
  });

  it("enforces the cost acknowledgement and type-to-confirm, auditing the refusals", async () => {
    const config = namesFor("conf");
    const s = setUp(h, config);
    const since = new Date();
    const calls = routeCalls(h.local);
    const admin = s.client();
    // @ts-expect-error: the contract demands the literal true
    expect((await rejection(admin.lakebase.create.mutate({ acknowledgeCost: false }))).code).toBe(
      "BAD_REQUEST",
    );
    // @ts-expect-error: missing acknowledgement
    expect((await rejection(admin.lakebase.create.mutate({}))).code).toBe("BAD_REQUEST");
    const wrong = await rejection(admin.lakebase.delete.mutate({ confirmName: `${config.instanceName}x` }));
    expect(wrong.code).toBe("BAD_REQUEST");
    expect(wrong.message).toContain(config.instanceName);
    expect(routeCalls(h.local)).toBe(calls);
    const rows = await auditRows("lakebase.", since);
    expect(rows.map((r) => [r.actor, r.action, r.outcome])).toEqual([
      [LOCAL_ADMIN, "lakebase.create", "rejected"],
      [LOCAL_ADMIN, "lakebase.create", "rejected"],
      [LOCAL_ADMIN, "lakebase.delete", "rejected"],
    ]);
    expect(rows[2]?.input).toEqual({ confirmName: `${config.instanceName}x` });
    await s.service.close();
  });

  it("retries an injected 429 (the SDK does) and succeeds", async () => {
    const config = namesFor("rl");
    const s = setUp(h, config);
    h.local.faults.failNext({ method: "POST", path: "/api/2.0/database/instances" }, 429, 1);
    const before = h.local.counters().routes["POST /api/2.0/database/instances"] ?? 0;
    const result = await s.client().lakebase.create.mutate({ acknowledgeCost: true });
    expect(result.resources[0]).toMatchObject({ resource: "instance", outcome: "created" });
    // The refused call and the retry both reached the service.
    expect(h.local.counters().routes["POST /api/2.0/database/instances"]).toBe(before + 2);
    await s.service.idle();
    expect((await s.client().lakebase.status.query()).operation?.outcome).toBe("succeeded");
    await s.client().lakebase.delete.mutate({ confirmName: config.instanceName });
    await s.service.close();
  }, 30_000);

  it("reports a 503 clearly: synchronously when nothing was done, in the operation when half-way", async () => {
    const config = namesFor("una");
    const s = setUp(h, config);
    const admin = s.client();
    const since = new Date();
    h.local.faults.failNext({ method: "POST", path: "/api/2.0/database/instances" }, 503, 1);
    const refused = await rejection(admin.lakebase.create.mutate({ acknowledgeCost: true }));
    expect(refused.code).toBe("SERVICE_UNAVAILABLE");
    expect(refused.message).toMatch(/Databricks is unavailable, try again/);
    expect(refused.databricks).toEqual({ errorCode: "TEMPORARILY_UNAVAILABLE", statusCode: 503 });
    expect(await exists(config)).toEqual({ instance: false, catalog: false, syncedTable: false });

    // Half-way: the instance is created, then the catalog call fails.
    h.local.faults.failNext({ method: "POST", path: "/api/2.0/database/catalogs" }, 503, 1);
    const started = await admin.lakebase.create.mutate({ acknowledgeCost: true });
    expect(started.resources[0]?.outcome).toBe("created");
    await s.service.idle();
    const status = await admin.lakebase.status.query();
    expect(status.operation).toMatchObject({ kind: "create", outcome: "failed" });
    expect(status.operation?.error).toMatch(/Databricks is unavailable, try again/);
    expect(status.operation?.step).toContain("catalog");
    expect(status.instance?.state).toBe("AVAILABLE");
    expect(status.catalog).toBeNull();
    const rows = await auditRows("lakebase.create", since);
    expect(rows.map((r) => r.outcome)).toEqual(["failed", "accepted", "failed"]);
    expect(rows[2]?.action).toBe("lakebase.create.finished");

    // A delete that meets a 503 stops there and says which resources were not attempted.
    h.local.faults.failNext({ method: "DELETE", path: "/api/2.0/database/catalogs/*" }, 503, 1);
    const del = await admin.lakebase.delete.mutate({ confirmName: config.instanceName });
    expect(del.steps.map((x) => x.outcome)).toEqual(["not_found", "failed", "skipped"]);
    expect(del.steps[1]?.error).toMatch(/Databricks is unavailable/);
    expect(del.steps[1]?.databricks).toEqual({ errorCode: "TEMPORARILY_UNAVAILABLE", statusCode: 503 });
    expect((await exists(config)).instance).toBe(true);
    const finalDelete = await admin.lakebase.delete.mutate({ confirmName: config.instanceName });
    expect(finalDelete.steps.map((x) => x.outcome)).toEqual(["not_found", "not_found", "deleted"]);
    await s.service.close();
  });

  it("lets only one of a racing create and delete run; the other gets CONFLICT and state stays whole", async () => {
    const config = namesFor("race");
    const s = setUp(h, config);
    const admin = s.client();
    // Both operations start by reading the synced table: slowed, whichever comes first still holds the
    // lock when the other arrives.
    const slow = { method: "GET", path: "/api/2.0/database/synced_tables/*" };
    h.local.faults.addLatency(slow, 150);
    const [create, del] = await Promise.allSettled([
      admin.lakebase.create.mutate({ acknowledgeCost: true }),
      admin.lakebase.delete.mutate({ confirmName: config.instanceName }),
    ]);
    h.local.faults.addLatency(slow, 0);
    const outcomes = [create.status, del.status].sort();
    expect(outcomes).toEqual(["fulfilled", "rejected"]);
    const loser =
      create.status === "rejected" ? create.reason : del.status === "rejected" ? del.reason : undefined;
    expect(trpcError(loser).code).toBe("CONFLICT");
    await s.service.idle();
    const e = await exists(config);
    if (create.status === "fulfilled") {
      expect(e).toEqual({ instance: true, catalog: true, syncedTable: true });
      // While a create runs, a delete is refused too.
      await admin.lakebase.delete.mutate({ confirmName: config.instanceName });
    } else {
      expect(e).toEqual({ instance: false, catalog: false, syncedTable: false });
    }
    expect(await exists(config)).toEqual({ instance: false, catalog: false, syncedTable: false });
    await s.service.close();
  });

  it("refuses a delete while a create is provisioning", async () => {
    const config = namesFor("busy");
    const s = setUp(h, config);
    const admin = s.client();
    h.local.faults.addLatency({ method: "POST", path: "/api/2.0/database/catalogs" }, 200);
    await admin.lakebase.create.mutate({ acknowledgeCost: true });
    const conflict = await rejection(admin.lakebase.delete.mutate({ confirmName: config.instanceName }));
    h.local.faults.addLatency({ method: "POST", path: "/api/2.0/database/catalogs" }, 0);
    expect(conflict.code).toBe("CONFLICT");
    expect(conflict.message).toMatch(/create .* already running/);
    await s.service.idle();
    const del = await admin.lakebase.delete.mutate({ confirmName: config.instanceName });
    expect(del.steps.map((x) => x.outcome)).toEqual(["deleted", "deleted", "deleted"]);
    await s.service.close();
  });

  it("stops and starts the instance with a PATCH that carries its body", async () => {
    const config = namesFor("ss");
    const s = setUp(h, config);
    const admin = s.client();
    await admin.lakebase.create.mutate({ acknowledgeCost: true });
    await s.service.idle();
    const stopped = await admin.lakebase.stop.mutate();
    expect(stopped.instance.stopped).toBe(true);
    // The operation succeeds when the instance is STOPPED (not when the PATCH is accepted).
    await until(
      () => admin.lakebase.status.query(),
      (st) => st.instance?.state === "STOPPED" && st.operation?.outcome === "succeeded",
    );
    const started = await admin.lakebase.start.mutate();
    expect(started.instance.stopped).toBe(false);
    const st = await until(
      () => admin.lakebase.status.query(),
      (x) => x.instance?.state === "AVAILABLE" && x.operation?.outcome === "succeeded",
    );
    expect(st.instance?.stopped).toBe(false);
    expect(st.operation).toMatchObject({ kind: "start", outcome: "succeeded" });
    await admin.lakebase.delete.mutate({ confirmName: config.instanceName });
    // Stop on a missing instance: NOT_FOUND with the Databricks code.
    const missing = await rejection(admin.lakebase.stop.mutate());
    expect(missing.code).toBe("NOT_FOUND");
    expect(missing.databricks).toEqual({ errorCode: "RESOURCE_DOES_NOT_EXIST", statusCode: 404 });
    await s.service.close();
  });

  it("says clearly when Databricks is not configured", async () => {
    const s = setUp(h, { ...namesFor("nc"), configured: false });
    const calls = routeCalls(h.local);
    const status = await s.client().lakebase.status.query();
    expect(status).toMatchObject({ configured: false, instance: null, catalog: null, syncedTable: null });
    const refused = await rejection(s.client().lakebase.create.mutate({ acknowledgeCost: true }));
    expect(refused).toMatchObject({ code: "PRECONDITION_FAILED", message: "Databricks is not configured" });
    expect(routeCalls(h.local)).toBe(calls);
    await s.service.close();
  });
});
