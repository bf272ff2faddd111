import { createOrdersFixture, type OrdersFixture } from "@lakebase-orders/api/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Issue 25: the rollup's `built_at` comes from the database's clock and was compared with the app's. With
// the app's clock an hour behind the database's, a rebuild due after a second waited an hour (and an hour
// ahead, every change rebuilt at once). Here the app's clock is set an hour back.
let f: OrdersFixture;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() - 3_600_000, shouldAdvanceTime: true });
  f = await createOrdersFixture("api_rollup_clock", 2000, {
    ORDERS_ROLLUP_CHECK_SECONDS: "1",
    ORDERS_ROLLUP_MIN_REBUILD_SECONDS: "1",
  });
  await f.services.orders.ready();
}, 60_000);

afterAll(async () => {
  await f?.close();
  vi.useRealTimers();
});

describe("the rollup's age", () => {
  it("is measured on the database's clock: a change to the table is in the figures within seconds", async () => {
    const total = async () => (await f.client.orders.count.query({})).totalOrders;
    await vi.waitFor(async () => expect(await total()).toBe(2000), { timeout: 10_000, interval: 100 });
    // Wait until the rollup is at least its minimum age, then change the table as a sync would.
    await new Promise((r) => setTimeout(r, 1500));
    await f.db.pool.query(
      "DELETE FROM orders_synced WHERE o_orderkey IN (SELECT o_orderkey FROM orders_synced LIMIT 10)",
    );
    await vi.waitFor(
      async () => {
        const c = await f.client.orders.count.query({});
        expect(c.totalOrders).toBe(1990);
        expect(c.stale).toBe(false);
      },
      { timeout: 10_000, interval: 200 },
    );
  });
});
