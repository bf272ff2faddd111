import {
  configFor,
  httpClient,
  type LocalWorkspace,
  startLocalWorkspace,
  startTestServer,
  type TestServer,
} from "@lakebase-orders/api/testing";
import { LOCAL_ADMIN } from "@lakebase-orders/config";
import { createDb } from "@lakebase-orders/db";
import { patchInstance, sdkFor, until } from "@lakebase-orders/lakebase-local/testing";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../routers/app-router.ts";

let w: LocalWorkspace;
let server: TestServer | undefined;

beforeAll(async () => {
  w = await startLocalWorkspace("boot", { timings: { instanceStartMs: 300 } });
  // An admin stopped the instance to save cost; then the app restarts.
  const stopped = await patchInstance(sdkFor(w.local), w.names.instanceName, "stopped", { stopped: true });
  expect(stopped.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await w?.close();
});

const get = async (path: string) => {
  const response = await fetch(`${server?.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe("start-up without a database", () => {
  it("is alive at once, not ready, serves the console; an admin starts the instance; ready, same process", async () => {
    server = await startTestServer(configFor(w, { DB_STARTUP_RETRY_MAX_SECONDS: "1" }), {
      lakebase: { pollIntervalMs: 50, statusCacheMs: 50 },
    });
    expect((await get("/api/health")).status).toBe(200);
    expect((await get("/api/ready")).status).toBe(503);
    // Once the first attempt has met the stopped instance, the reason says so.
    const notReady = await until(
      () => get("/api/ready"),
      (r) => r.status === 503 && String(r.body.reason).includes("stopped"),
    );
    expect(notReady.body.reason).toMatch(/stopped or starting/);
    expect(notReady.body.reason).toMatch(/is stopped/);

    const client = httpClient(server.url);
    const orders = await client.orders.count.query().catch((e: unknown) => e);
    expect(orders).toBeInstanceOf(TRPCClientError);
    expect((orders as TRPCClientError<AppRouter>).data?.code).toBe("SERVICE_UNAVAILABLE");
    expect((orders as Error).message).toMatch(
      /not available yet: the database instance is stopped or starting/,
    );

    // The console needs only Databricks.
    const status = await client.lakebase.status.query();
    expect(status.instance).toMatchObject({ name: w.names.instanceName, state: "STOPPED" });
    expect(status.viewer.isAdmin).toBe(true);
    const started = await client.lakebase.start.mutate();
    expect(started.instance.stopped).toBe(false);

    await until(
      () => get("/api/ready"),
      (r) => r.status === 200,
      20_000,
    );
    expect(await client.orders.count.query()).toMatchObject({ totalOrders: 500 });
    expect(server.logs.some((l) => l.includes('"msg":"database ready"'))).toBe(true);

    // The start was audited while its database was down: the row arrives once it answers.
    const db = createDb({
      connectionString: `postgresql://${encodeURIComponent(LOCAL_ADMIN)}:${w.local.workspaceToken}@127.0.0.1:${w.local.pgPort}/${w.names.databaseName}`,
      max: 1,
    });
    try {
      const rows = await until(
        () => db.prisma.adminAudit.findMany({ where: { action: "lakebase.start" } }),
        (r) => r.length > 0,
      );
      // Accepted: the start succeeds once the instance is AVAILABLE, in its own `.finished` row.
      expect(rows.map((r) => [r.actor, r.outcome])).toEqual([[LOCAL_ADMIN, "accepted"]]);
    } finally {
      await db.disconnect();
    }
  }, 60_000);

  it("starts with no instance at all (address from Databricks); the console creates it; ready, same process", async () => {
    const gone = await startLocalWorkspace("noinst");
    try {
      const sdk = sdkFor(gone.local);
      await sdk.database.deleteSyncedDatabaseTable({ name: gone.names.syncedTable });
      await sdk.database.deleteDatabaseCatalog({ name: gone.names.catalogName });
      await sdk.database.deleteDatabaseInstance({ name: gone.names.instanceName, purge: true });
      await until(
        () =>
          sdk.database.getDatabaseInstance({ name: gone.names.instanceName }).then(
            () => true,
            () => false,
          ),
        (exists) => !exists,
      );
      const running = await startTestServer(configFor(gone, { DB_STARTUP_RETRY_MAX_SECONDS: "1" }), {
        lakebase: { pollIntervalMs: 50, statusCacheMs: 50 },
      });
      try {
        const ready = () =>
          fetch(`${running.url}/api/ready`).then(async (r) => ({
            status: r.status,
            body: (await r.json()) as { reason?: string },
          }));
        expect((await fetch(`${running.url}/api/health`)).status).toBe(200);
        const notReady = await until(
          ready,
          (r) => r.status === 503 && String(r.body.reason).includes("does not exist"),
        );
        expect(notReady.body.reason).toMatch(/the database does not exist \(yet\)/);
        expect(running.logs.some((l) => l.includes('"msg":"lakebase_connection_deferred"'))).toBe(true);

        const client = httpClient(running.url);
        expect((await client.lakebase.status.query()).instance).toBeNull();
        const created = await client.lakebase.create.mutate({ acknowledgeCost: true });
        expect(created.resources.map((r) => r.outcome)).toEqual(["created", "created", "created"]);
        await until(ready, (r) => r.status === 200, 30_000);
        await until(
          () => client.lakebase.status.query(),
          (st) => st.operation?.kind === "create" && st.operation.outcome === "succeeded",
          30_000,
        );
        expect(await client.orders.count.query()).toMatchObject({ totalOrders: 500 });
      } finally {
        await running.close();
      }
    } finally {
      await gone.close();
    }
  }, 90_000);
});
