import { migrate } from "@lakebase-orders/api/testing";
import { loadConfig } from "@lakebase-orders/config";
import { createDb, createDbFromConfig, type Db } from "@lakebase-orders/db";
import { createLogger } from "@lakebase-orders/log";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import { loadOrders } from "@lakebase-orders/tpch";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../http/app.ts";
import { buildServices } from "../start/services.ts";

// Issue 25, "Backpressure read as an outage": a read pool with every connection busy answered "timeout
// exceeded when trying to connect", which the read path took for a dead replica: it moved reads to the
// primary (a fallback storm under load) and marked the replica down. A full pool is a queue: a read waits
// within the pool's budget for a connection of its own pool, then gets 503 with Retry-After.
let primary: TestDatabase;
let replica: TestDatabase;
let db: Db;
let app: App;
const logs: string[] = [];
const KEY = 1;
const QUEUE_BUDGET_MS = 1500;

async function seed(url: string): Promise<void> {
  const d = createDb({ connectionString: url, max: 1 });
  try {
    const client = await d.pool.connect();
    try {
      await loadOrders(client, { rows: 500, seed: 42 });
    } finally {
      client.release();
    }
    await migrate(d);
  } finally {
    await d.disconnect();
  }
}

beforeAll(async () => {
  [primary, replica] = await Promise.all([
    createTestDatabase("api_saturated"),
    createTestDatabase("api_saturated_ro"),
  ]);
  await Promise.all([seed(primary.url), seed(replica.url)]);
  const marker = createDb({ connectionString: replica.url, max: 1 });
  await marker.pool.query(
    "UPDATE public.orders_synced SET o_comment = 'served by the replica' WHERE o_orderkey = $1",
    [KEY],
  );
  await marker.disconnect();
  const config = loadConfig({
    LAKEBASE_PG_URL: primary.url,
    LAKEBASE_PG_READ_URL: replica.url,
    DB_POOL_MAX: "2",
  });
  const logger = createLogger({ write: (l) => logs.push(l) });
  db = await createDbFromConfig(config, { logger, pool: { connectionTimeoutMillis: QUEUE_BUDGET_MS } });
  const services = buildServices(config, db, { logger });
  await services.orders.ready();
  app = createApp(services);
}, 120_000);

afterAll(async () => {
  await db?.disconnect();
  await primary?.drop();
  await replica?.drop();
});

const byKey = () =>
  app.request(
    `http://api.test/api/trpc/orders.byKey?input=${encodeURIComponent(JSON.stringify({ orderKey: KEY }))}`,
  );

async function saturate(): Promise<pg.PoolClient[]> {
  const readPool = db.readPool!;
  return Promise.all([readPool.connect(), readPool.connect()]);
}

describe("a saturated read pool", () => {
  it("queues a read until a connection of its own pool comes free, and never moves it to the primary", async () => {
    const held = await saturate();
    const answer = byKey();
    setTimeout(() => {
      for (const c of held) c.release();
    }, 300);
    const res = await answer;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { data: { comment: string } } };
    expect(body.result.data.comment).toBe("served by the replica");
  });

  it("answers 503 with Retry-After once the queue's budget is spent, and does not mark the replica down", async () => {
    const held = await saturate();
    try {
      const started = performance.now();
      const res = await byKey();
      expect(res.status).toBe(503);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(performance.now() - started).toBeGreaterThanOrEqual(QUEUE_BUDGET_MS - 50);
    } finally {
      for (const c of held) c.release();
    }
    // The replica is still the replica: the next read goes there at once.
    const res = await byKey();
    const body = (await res.json()) as { result: { data: { comment: string } } };
    expect(body.result.data.comment).toBe("served by the replica");
    expect(logs.filter((l) => l.includes("db_read_replica_unreachable"))).toEqual([]);
  });
});
