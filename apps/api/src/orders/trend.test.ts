import { createOrdersFixture, type OrdersFixture } from "@lakebase-orders/api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cut, fromCents, monthRange, toCents } from "./trend.ts";

const ROWS = 6000;
let f: OrdersFixture;

// Cached for an hour, as a production grid is for its TTL: a status change must still show at once.
beforeAll(async () => {
  f = await createOrdersFixture("api_trend", ROWS, { COUNT_CACHE_TTL_SECONDS: "3600" });
}, 120_000);

afterAll(async () => {
  await f?.close();
});

/** Ground truth, written apart from the trend's SQL: per month and overlaid status, count and sum. */
async function truth(split: "status" | "priority", where = "TRUE") {
  const key = split === "status" ? "COALESCE(s.status, o.o_orderstatus)" : "o.o_orderpriority";
  const { rows } = await f.db.pool.query<{ month: string; key: string; n: number; revenue: string }>(
    `SELECT to_char(date_trunc('month', o.o_orderdate), 'YYYY-MM') AS month, ${key} AS key,
            count(*)::int AS n, sum(o.o_totalprice)::text AS revenue
       FROM public.orders_synced o LEFT JOIN app_data.order_status s ON s.order_key = o.o_orderkey
      WHERE ${where}
      GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return rows;
}

describe("orders.trend", () => {
  it("counts orders and sums revenue per month and status, every month of the range present", async () => {
    const trend = await f.client.orders.trend.query({ splitBy: "status" });
    expect(trend.splitBy).toBe("status");
    expect(trend.series).toEqual(["F", "O", "P"]);
    const expected = await truth("status");
    const months = [...new Set(expected.map((r) => r.month))];
    expect(trend.months.map((m) => m.month)).toEqual(monthRange(months[0], months.at(-1)));
    for (const r of expected) {
      const month = trend.months.find((m) => m.month === r.month);
      const cell = month?.cells.find((c) => c.key === r.key);
      expect(cell, `${r.month} ${r.key}`).toEqual({ key: r.key, orders: r.n, revenue: r.revenue });
    }
    expect(trend.months.reduce((sum, m) => sum + m.orders, 0)).toBe(ROWS);
    const total = await f.db.pool.query<{ revenue: string }>(
      "SELECT sum(o_totalprice)::text AS revenue FROM public.orders_synced",
    );
    const revenue = trend.months.reduce((sum, m) => sum + toCents(m.revenue), 0n);
    expect(fromCents(revenue)).toBe(total.rows[0]?.revenue);
    expect(Date.parse(trend.computedAt)).toBeGreaterThan(0);
  });

  it("splits by priority and applies the status and priority filters (not the dates)", async () => {
    const trend = await f.client.orders.trend.query({ splitBy: "priority", status: "F" });
    expect(trend.series).toEqual(["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"]);
    const expected = await truth("priority", "COALESCE(s.status, o.o_orderstatus) = 'F'");
    for (const r of expected) {
      const cell = trend.months.find((m) => m.month === r.month)?.cells.find((c) => c.key === r.key);
      expect(cell, `${r.month} ${r.key}`).toEqual({ key: r.key, orders: r.n, revenue: r.revenue });
    }
    const one = await f.client.orders.trend.query({ splitBy: "status", priority: "2-HIGH" });
    const high = await truth("status", "o.o_orderpriority = '2-HIGH'");
    expect(one.months.reduce((s, m) => s + m.orders, 0)).toBe(high.reduce((s, r) => s + r.n, 0));
  });

  it("moves an order between series when its status changes in the app, cached or not", async () => {
    const { rows } = await f.db.pool.query<{ k: string; month: string }>(
      `SELECT o_orderkey AS k, to_char(o_orderdate, 'YYYY-MM') AS month FROM public.orders_synced
        WHERE o_orderstatus = 'O' ORDER BY o_orderkey LIMIT 1`,
    );
    const { k, month } = rows[0]!;
    const cellOf = async (key: string) =>
      (await f.client.orders.trend.query()).months
        .find((m) => m.month === month)
        ?.cells.find((c) => c.key === key)?.orders ?? 0;
    const [open, fulfilled] = [await cellOf("O"), await cellOf("F")];
    await f.client.orders.updateStatus.mutate({ orderKey: Number(k), status: "F" });
    expect(await cellOf("O")).toBe(open - 1);
    expect(await cellOf("F")).toBe(fulfilled + 1);
  });

  it("reads the rollup, not the table: it answers while a refresh holds the synced table", async () => {
    await f.services.orders.ready();
    const month = (await f.client.orders.trend.query()).months[3]!.month;
    const { rows } = await f.db.pool.query<{ k: string }>(
      `SELECT o_orderkey AS k FROM public.orders_synced WHERE to_char(o_orderdate, 'YYYY-MM') = $1
          AND o_orderstatus = 'F' ORDER BY o_orderkey DESC LIMIT 1`,
      [month],
    );
    const before = await f.client.orders.trend.query();
    expect(before.stale).toBe(false);
    // A change clears whatever was cached; the counts take the overrides in before the table is locked.
    await f.client.orders.updateStatus.mutate({ orderKey: Number(rows[0]!.k), status: "P" });
    await f.client.orders.count.query();
    const refresh = await f.db.pool.connect();
    try {
      await refresh.query("BEGIN");
      await refresh.query("LOCK TABLE public.orders_synced IN ACCESS EXCLUSIVE MODE");
      const during = await Promise.race([
        f.client.orders.trend.query(),
        new Promise<"waited">((r) => setTimeout(() => r("waited"), 5_000)),
      ]);
      if (during === "waited") throw new Error("the trend waited for the synced table's lock");
      const cell = (t: typeof before, key: string) =>
        t.months.find((m) => m.month === month)?.cells.find((c) => c.key === key)?.orders ?? 0;
      expect(cell(during, "P")).toBe(cell(before, "P") + 1);
      expect(cell(during, "F")).toBe(cell(before, "F") - 1);
      expect(Date.parse(during.computedAt)).toBeLessThanOrEqual(Date.now());
    } finally {
      await refresh.query("ROLLBACK");
      refresh.release();
    }
  });

  it("refuses an unknown split or filter with BAD_REQUEST", async () => {
    for (const input of [{ splitBy: "clerk" }, { status: "X" }, { priority: "urgent" }]) {
      await expect(f.client.orders.trend.query(input as never)).rejects.toMatchObject({
        data: { code: "BAD_REQUEST" },
      });
    }
  });

  it("answers PRECONDITION_FAILED while the synced table does not exist", async () => {
    const empty = await createOrdersFixture("api_trend_empty", null);
    try {
      await expect(empty.client.orders.trend.query()).rejects.toMatchObject({
        data: { code: "PRECONDITION_FAILED" },
      });
    } finally {
      await empty.close();
    }
  });
});

describe("trend helpers", () => {
  it("walks months across years, and converts decimals to cents and back exactly", () => {
    expect(monthRange("1998-11", "1999-02")).toEqual(["1998-11", "1998-12", "1999-01", "1999-02"]);
    expect(monthRange("1995-03", "1995-03")).toEqual(["1995-03"]);
    expect(monthRange(undefined, undefined)).toEqual([]);
    expect(toCents("1234.5")).toBe(123450n);
    expect(toCents("-0.07")).toBe(-7n);
    expect(toCents("99999999999999999.99")).toBe(9999999999999999999n);
    expect(fromCents(123450n)).toBe("1234.50");
    expect(fromCents(-7n)).toBe("-0.07");
    expect(() => toCents("1e5")).toThrow();
  });

  it("fills months without orders with zeros and keeps unknown keys after the known ones", () => {
    const cells = [
      { month: "1995-01", status: "F", priority: "1-URGENT", orders: 2, cents: 300n },
      { month: "1995-03", status: "Z", priority: "1-URGENT", orders: 1, cents: 5n },
    ];
    const r = cut(cells, { splitBy: "status" });
    expect(r.series).toEqual(["F", "O", "P", "Z"]);
    expect(r.months.map((m) => [m.month, m.orders, m.revenue])).toEqual([
      ["1995-01", 2, "3.00"],
      ["1995-02", 0, "0.00"],
      ["1995-03", 1, "0.05"],
    ]);
    expect(r.months[2]?.cells.map((c) => c.orders)).toEqual([0, 0, 0, 1]);
  });
});
