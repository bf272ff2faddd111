import {
  migrate,
  type PgProxy,
  startPgProxy,
  startTestServer,
  type TestServer,
} from "@lakebase-orders/api/testing";
import { loadConfig } from "@lakebase-orders/config";
import { createDb, type Db } from "@lakebase-orders/db";
import { createLogger } from "@lakebase-orders/log";
import { createTestDatabase, type TestDatabase, withClient } from "@lakebase-orders/pg-local";
import { loadOrders } from "@lakebase-orders/tpch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuditWriter } from "../lakebase/audit/audit.ts";
import { appActivity, setIdleAfterMs } from "./activity.ts";
import type { AppServices } from "./services.ts";
import { buildServices } from "./services.ts";

// Issue 24 item 2, "An idle app lets its endpoint suspend": once nobody has used the app for a while, no
// background loop, pool, listener or health probe sends the database a byte (a proxy in front of it counts
// them); a suspension (every session ended) is not answered by reconnecting; the next request reopens what
// it needs and catches up with what changed meanwhile.
const IDLE_AFTER_MS = 1500;
let database: TestDatabase;
let proxy: PgProxy;
let server: TestServer;
let other: { db: Db; services: AppServices };
let keys: number[];

beforeAll(async () => {
  setIdleAfterMs(IDLE_AFTER_MS);
  database = await createTestDatabase("api_idle");
  const seed = createDb({ connectionString: database.url, max: 1 });
  const c = await seed.pool.connect();
  try {
    await loadOrders(c, { rows: 2000, seed: 4 });
    keys = (
      await c.query<{ k: string }>(
        "SELECT o_orderkey::text AS k FROM orders_synced WHERE o_orderstatus = 'O' LIMIT 5",
      )
    ).rows.map((r) => Number(r.k));
  } finally {
    c.release();
  }
  await migrate(seed);
  await seed.disconnect();
  // Another container on the same database (it writes while this one idles).
  const config = loadConfig({ LAKEBASE_PG_URL: database.url });
  const db = createDb({ connectionString: database.url, max: 2, applicationName: "other-container" });
  other = { db, services: buildServices(config, db, { logger: createLogger({ level: "error" }) }) };

  const target = new URL(database.url);
  proxy = await startPgProxy({ host: target.hostname, port: Number(target.port) });
  server = await startTestServer(
    loadConfig({ LAKEBASE_PG_URL: proxy.url(database.url), ORDERS_ROLLUP_CHECK_SECONDS: "1" }),
    { until: "ready" },
  );
}, 60_000);

afterAll(async () => {
  await server?.close();
  other?.services.orders.close();
  await other?.services.changes.close();
  await other?.db.disconnect();
  await proxy?.close();
  await database?.drop();
  setIdleAfterMs(30_000);
});

const get = async (path: string) => {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: await res.text() };
};
const trpc = (procedure: string, input: unknown) =>
  get(`/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`);
const count = async (status: string) =>
  (JSON.parse((await trpc("orders.count", { status })).body) as { result: { data: { totalOrders: number } } })
    .result.data.totalOrders;

describe("an idle app", () => {
  it("sends the database nothing, probes included, and serves the next request with what changed meanwhile", async () => {
    // In use: reads, a write (the change feed listens from now on).
    expect((await trpc("orders.byKey", { orderKey: keys[0] })).status).toBe(200);
    const before = await count("F");
    const res = await fetch(`${server.url}/api/trpc/orders.updateStatus`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ orderKey: keys[0], status: "F" }),
    });
    expect(res.status).toBe(200);
    expect(await count("F")).toBe(before + 1);
    // The feed's session logs in and LISTENs beside the request (a woken endpoint's first request waits
    // for one login, not two), so it listens a moment after the write's answer, not before it.
    for (const deadline = Date.now() + 10_000; !server.services.changes.state().listening; ) {
      if (Date.now() > deadline) throw new Error("the change feed did not listen within 10 s");
      await new Promise((r) => setTimeout(r, 20));
    }

    // Idle: background work stops within its last round.
    await new Promise((r) => setTimeout(r, IDLE_AFTER_MS + 2500));
    const quiet = proxy.traffic().bytes;
    for (let i = 0; i < 16; i++) {
      const ready = await get("/api/ready");
      expect(ready.status).toBe(200);
      expect(JSON.parse(ready.body)).toEqual({ status: "ready", idle: true });
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(proxy.traffic().bytes - quiet).toBe(0);

    // The endpoint suspends: every session of the app ends. Nothing reconnects while idle.
    await withClient(database.adminUrl, (c) =>
      c.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name LIKE 'lakebase-orders%'",
        [database.name],
      ),
    );
    // Another container changes a status meanwhile (its notification reaches nobody here).
    await other.services.orders.updateStatus(
      { orderKey: keys[1]!, status: "F" },
      { actor: "other@example.com", requestId: "r" },
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(server.services.changes.state().listening).toBe(false);
    const suspended = proxy.traffic();
    await new Promise((r) => setTimeout(r, 2000));
    expect(proxy.traffic().connections).toBe(suspended.connections);

    // The next request: served, with the other container's change (caught up from the change table,
    // through the pool while the listening session opens beside it).
    expect(await count("F")).toBe(before + 2);
    const within = async (ms: number, ok: () => Promise<boolean> | boolean) => {
      for (const deadline = Date.now() + ms; !(await ok()) && Date.now() < deadline; )
        await new Promise((r) => setTimeout(r, 20));
      return ok();
    };
    expect(await within(5000, () => server.services.changes.state().listening)).toBe(true);
    // It listens again: the other container's next change arrives without a request asking for it.
    await other.services.orders.updateStatus(
      { orderKey: keys[2]!, status: "F" },
      { actor: "other@example.com", requestId: "r2" },
    );
    expect(await within(5000, async () => (await count("F")) === before + 3)).toBe(true);
  });

  it("keeps the audit's unwritten entries without retrying while idle, and retries once it is used again", async () => {
    // Its own proxy (the server's goes on once the app is used again), to a database that is not there: every
    // attempt to write is a connection through it.
    const target = new URL(database.url);
    const auditProxy = await startPgProxy({ host: target.hostname, port: Number(target.port) });
    const url = new URL(auditProxy.url(database.url));
    url.pathname = `/${database.name}_missing`;
    const db = createDb({ connectionString: url.toString(), max: 1, applicationName: "idle-audit" });
    const audit = createAuditWriter(db.prisma, createLogger({ write: () => undefined }), {
      retryMs: 50,
      maxRetryMs: 50,
    });
    try {
      appActivity().touch();
      await audit({ actor: "admin@example.com", action: "lakebase.create", outcome: "accepted" });
      expect(audit.pending()).toBe(1);
      await new Promise((r) => setTimeout(r, IDLE_AFTER_MS + 200));
      const quiet = auditProxy.traffic().connections;
      await new Promise((r) => setTimeout(r, 1000));
      expect(auditProxy.traffic().connections).toBe(quiet);
      expect(audit.pending()).toBe(1);

      appActivity().touch();
      await new Promise((r) => setTimeout(r, 500));
      expect(auditProxy.traffic().connections).toBeGreaterThan(quiet);
    } finally {
      audit.close();
      await db.disconnect();
      await auditProxy.close();
    }
  });
});
