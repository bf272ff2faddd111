import { createOrdersFixture, type OrdersFixture } from "@lakebase-orders/api/testing";
import { loadConfig } from "@lakebase-orders/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncedTable } from "./tables.ts";

describe("syncedTable", () => {
  it("quotes the Postgres name of the configured catalog.schema.table", () => {
    const config = loadConfig({
      LAKEBASE_CATALOG_NAME: "main",
      LAKEBASE_SYNCED_TABLE: "main.Sales-EU.orders_synced",
    });
    expect(syncedTable(config.lakebase.syncedTable)).toEqual({
      fullName: "main.Sales-EU.orders_synced",
      catalog: "main",
      schema: "Sales-EU",
      table: "orders_synced",
      sqlName: '"Sales-EU"."orders_synced"',
    });
    expect(syncedTable(loadConfig({}).lakebase.syncedTable).sqlName).toBe('"public"."orders_synced"');
  });
});

describe("a synced table outside public", () => {
  let f: OrdersFixture;
  beforeAll(async () => {
    f = await createOrdersFixture(
      "api_custom_table",
      300,
      { LAKEBASE_CATALOG_NAME: "cat", LAKEBASE_SYNCED_TABLE: "cat.Tpch-1.orders_x" },
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
    expect(await f.client.orders.count.query()).toMatchObject({ totalOrders: 300 });
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
