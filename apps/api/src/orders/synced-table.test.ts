import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrdersFixture, type OrdersFixture } from "../testing/orders-fixture.ts";
import { parseSyncedTable } from "./synced-table.ts";

describe("parseSyncedTable", () => {
  it("reads catalog.schema.table and quotes the Postgres name", () => {
    expect(parseSyncedTable("main.Sales-EU.orders_synced")).toEqual({
      fullName: "main.Sales-EU.orders_synced",
      catalog: "main",
      schema: "Sales-EU",
      table: "orders_synced",
      sqlName: '"Sales-EU"."orders_synced"',
    });
    expect(parseSyncedTable().sqlName).toBe('"public"."orders_synced"');
  });

  it.each(["orders", "a.b.c.d", 'c.public.x"; drop table y; --', "c..t", "c.s.t t"])("refuses %j", (name) => {
    expect(() => parseSyncedTable(name)).toThrow(/synced table name/);
  });
});

describe("a synced table outside public", () => {
  let f: OrdersFixture;
  beforeAll(async () => {
    f = await createOrdersFixture(
      "api_custom_table",
      300,
      { syncedTable: "cat.Tpch-1.orders_x" },
      {
        schema: "Tpch-1",
        table: "orders_x",
      },
    );
  }, 60_000);
  afterAll(async () => {
    await f?.close();
  });

  it("is read through every procedure", async () => {
    expect(await f.client.orders.count.query()).toEqual({ totalOrders: 300 });
    const page = await f.client.orders.list.query({ pageSize: 10, sort: "-totalPrice" });
    expect(page.orders).toHaveLength(10);
    const key = page.orders[0]!.orderKey;
    expect((await f.client.orders.byKey.query({ orderKey: key })).orderKey).toBe(key);
    await f.client.orders.updateStatus.mutate({ orderKey: key, status: "P" });
    expect((await f.client.orders.stream.query({ cursor: key - 1, pageSize: 1 })).orders[0]?.status).toBe(
      "P",
    );
    expect((await f.client.orders.stats.query()).totalOrders).toBe(300);
  });
});
