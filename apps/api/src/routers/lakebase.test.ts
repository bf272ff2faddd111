import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import {
  type Harness,
  instanceForwarder,
  migrate,
  namesFor,
  type Setup,
  SOURCE_ROWS,
  setUp,
  startHarness,
  until,
} from "@lakebase-orders/api/testing";
import { LOCAL_ADMIN } from "@lakebase-orders/config";
import { createDb, type Db } from "@lakebase-orders/db";
import {
  createTRPCClient,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
} from "@trpc/client";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LakebaseStatus } from "../lakebase/admin/types.ts";
import type { AppRouter } from "./app-router.ts";

// The snapshot phase pauses long enough that "still syncing" is observable through the orders router.
let h: Harness;
let forwarder: Awaited<ReturnType<typeof instanceForwarder>>;
let instanceDb: Db;
let s: Setup;
let server: ReturnType<typeof serve>;
let client: TRPCClient<AppRouter>;
const config = namesFor("cycle");

beforeAll(async () => {
  h = await startHarness("api_lakebase_cycle", { pipelineStepMs: 400 });
  // The app's database is the instance's database, as on Databricks: it does not exist when the app starts.
  forwarder = await instanceForwarder(h.local, config.instanceName);
  const user = encodeURIComponent(h.local.identity);
  instanceDb = createDb({
    connectionString: `postgresql://${user}:${h.local.workspaceToken}@127.0.0.1:${forwarder.port}/${config.databaseName}?sslmode=no-verify`,
    max: 4,
  });
  // As the server does: the app's own tables are migrated into the database once it exists.
  s = setUp(h, config, { db: instanceDb, onProvisioned: () => migrate(instanceDb) });
  server = await new Promise((resolve) => {
    const srv = serve({ fetch: s.app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(srv));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trpc`;
  client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url, EventSource }),
        false: httpLink({ url }),
      }),
    ],
  });
}, 120_000);

afterAll(async () => {
  await s?.service.close();
  if (server) {
    if ("closeAllConnections" in server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await instanceDb?.disconnect();
  await forwarder?.close();
  await h?.close();
});

/** Every snapshot the progress subscription pushes, until the server ends it. */
function collectProgress(lastEventId?: string) {
  const events: { id: string; data: LakebaseStatus }[] = [];
  const done = new Promise<typeof events>((resolve, reject) => {
    const sub = client.lakebase.progress.subscribe(lastEventId ? { lastEventId } : undefined, {
      onData: (e) => events.push(e as { id: string; data: LakebaseStatus }),
      onComplete: () => resolve(events),
      onError: (error) => {
        sub.unsubscribe();
        reject(error);
      },
    });
    setTimeout(() => {
      sub.unsubscribe();
      reject(new Error(`progress did not end: ${JSON.stringify(events.at(-1)?.data)}`));
    }, 30_000).unref();
  });
  return { events, done };
}

async function ordersError() {
  try {
    await client.orders.count.query();
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCClientError);
    return error as TRPCClientError<AppRouter>;
  }
  return null;
}

describe("lakebase full cycle over HTTP and SSE", () => {
  it("create → progress to ONLINE → orders readable → stop → start → delete, without a restart", async () => {
    const before = await ordersError();
    expect(before?.data?.code).toBe("PRECONDITION_FAILED");
    expect(before?.message).toMatch(/does not exist/);

    const created = await client.lakebase.create.mutate({ acknowledgeCost: true, capacity: "CU_2" });
    expect(created.resources.map((r) => r.outcome)).toEqual(["created", "created", "created"]);
    const progress = collectProgress();

    // While the initial snapshot runs, orders say so with the progress.
    await until(
      () => client.lakebase.status.query(),
      (st) => st.syncedTable?.detailedState === "SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT",
    );
    const syncing = await ordersError();
    expect(syncing?.data?.code).toBe("PRECONDITION_FAILED");
    expect(syncing?.message).toMatch(new RegExp(`still syncing \\(\\d+ of ${SOURCE_ROWS} rows, \\d+ %\\)`));

    const events = await progress.done;
    const last = events.at(-1)?.data;
    expect(last?.syncedTable?.detailedState).toMatch(/^SYNCED_TABLE_ONLINE/);
    expect(last?.syncedTable?.progress).toEqual({
      syncedRows: SOURCE_ROWS,
      totalRows: SOURCE_ROWS,
      fraction: 1,
    });
    expect(last?.operation).toMatchObject({ kind: "create", outcome: "succeeded" });
    expect(last?.instance).toMatchObject({ name: config.instanceName, state: "AVAILABLE", capacity: "CU_2" });
    expect(last?.catalog).toEqual({ name: config.catalogName, databaseName: config.databaseName });
    // Several distinct snapshots on the way, each with its own increasing id.
    expect(events.length).toBeGreaterThan(2);
    const seqs = events.map((e) => Number(e.id.split(":")[1]));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const states = new Set(events.map((e) => e.data.syncedTable?.detailedState ?? e.data.operation?.step));
    expect(states.size).toBeGreaterThan(1);

    // A reconnect that already has the last event gets nothing more: the state is settled.
    const again = collectProgress(events.at(-1)?.id);
    expect(await again.done).toEqual([]);

    const count = await client.orders.count.query();
    expect(count).toMatchObject({ totalOrders: SOURCE_ROWS });
    const page = await client.orders.list.query({ pageSize: 5 });
    expect(page.orders.length).toBe(5);

    const stopped = await client.lakebase.stop.mutate();
    expect(stopped.instance.stopped).toBe(true);
    // Stop and start succeed once the instance gets there (then the next operation may begin).
    await until(
      () => client.lakebase.status.query(),
      (st) => st.instance?.state === "STOPPED" && st.operation?.outcome === "succeeded",
    );
    // Readers are told the database is stopped (its synced table still says ONLINE), not "retry shortly".
    const whileStopped = await ordersError();
    expect(whileStopped?.data?.code).toBe("SERVICE_UNAVAILABLE");
    expect(whileStopped?.message).toMatch(/is stopped; an admin can start it/);
    await client.lakebase.start.mutate();
    await until(
      () => client.lakebase.status.query(),
      (st) => st.instance?.state === "AVAILABLE" && st.operation?.outcome === "succeeded",
    );
    expect((await client.orders.byKey.query({ orderKey: page.orders[0]?.orderKey ?? 0 }))?.orderKey).toBe(
      page.orders[0]?.orderKey,
    );

    const deleted = await client.lakebase.delete.mutate({ confirmName: config.instanceName });
    expect(deleted.steps.map((x) => [x.resource, x.outcome])).toEqual([
      ["syncedTable", "deleted"],
      ["catalog", "deleted"],
      ["instance", "deleted"],
    ]);
    const status = await client.lakebase.status.query();
    expect(status).toMatchObject({ instance: null, catalog: null, syncedTable: null });
    expect(status.viewer).toMatchObject({ email: LOCAL_ADMIN, isAdmin: true });
  }, 60_000);
});
