import { createOrdersFixture, type OrdersFixture } from "@lakebase-orders/api/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { syncedTable } from "../tables.ts";
import { pruneChanges } from "./change-log.ts";
import { runStatusChange, statusChangeStatement } from "./status-change.ts";

// Issue 25, "Overrides are never pruned and are reloaded by every worker for every change".
let f: OrdersFixture;

beforeAll(async () => {
  f = await createOrdersFixture("api_overrides", 3000);
  await f.services.orders.ready();
  // The rollup exists (its figures answer the counts below).
  for (let i = 0; i < 100 && (await f.client.orders.count.query({})).totalOrders !== 3000; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
}, 60_000);

afterAll(() => f?.close());

const write = async (orderKey: number, status: string) => {
  const res = await f.fetch("/api/trpc/orders.updateStatus", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ orderKey, status }),
  });
  expect(res.status).toBe(200);
};

const truth = async (status: string) =>
  Number(
    (
      await f.db.pool.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM orders_synced o LEFT JOIN app_data.order_status s ON s.order_key = o.o_orderkey
          WHERE COALESCE(s.status, o.o_orderstatus) = $1`,
        [status],
      )
    ).rows[0]!.n,
  );

const keysOf = async (status: string, n: number) =>
  (
    await f.db.pool.query<{ k: string }>(
      `SELECT o_orderkey::text AS k FROM orders_synced o WHERE o_orderstatus = $1
          AND NOT EXISTS (SELECT 1 FROM app_data.order_status s WHERE s.order_key = o.o_orderkey)
        ORDER BY o_orderkey LIMIT $2`,
      [status, n],
    )
  ).rows.map((r) => Number(r.k));

describe("status overrides", () => {
  it("follow each change in memory: exact counts after every change, and no reload of every override", async () => {
    await f.client.orders.count.query({ status: "F" });
    const reloads = vi.spyOn(f.db.pool, "query");
    const loadsOfAll = () =>
      reloads.mock.calls.filter((call) => String(call[0]).includes("FROM app_data.order_status s JOIN"))
        .length;
    try {
      for (const key of await keysOf("O", 10)) {
        await write(key, "F");
        expect((await f.client.orders.count.query({ status: "F" })).totalOrders).toBe(await truth("F"));
        expect((await f.client.orders.count.query({ status: "O" })).totalOrders).toBe(await truth("O"));
      }
      expect(loadsOfAll()).toBe(0);
    } finally {
      reloads.mockRestore();
    }
  });

  it("are removed when an order is set back to its synced status (its history stays)", async () => {
    const [key] = await keysOf("O", 1);
    await write(key!, "P");
    await write(key!, "O");
    const kept = await f.db.pool.query("SELECT 1 FROM app_data.order_status WHERE order_key = $1", [key]);
    expect(kept.rowCount).toBe(0);
    const history = await f.client.orders.history.query({ orderKey: key! });
    expect(history.changes.map((c) => c.status)).toEqual(["O", "P"]);
    expect((await f.client.orders.byKey.query({ orderKey: key! })).status).toBe("O");
  });

  it("are pruned once the synced table agrees or no longer has the order, and old changes go, figures unchanged", async () => {
    const [agreeing, vanishing] = await keysOf("O", 2);
    await write(agreeing!, "F");
    await write(vanishing!, "F");
    // The source catches up with one override; the other order leaves the synced table.
    await f.db.pool.query("UPDATE orders_synced SET o_orderstatus = 'F' WHERE o_orderkey = $1", [agreeing]);
    await f.db.pool.query("DELETE FROM orders_synced WHERE o_orderkey = $1", [vanishing]);
    await f.db.pool.query(
      "UPDATE app_data.order_change SET at = now() - interval '2 days' WHERE order_key = $1",
      [agreeing],
    );
    const before = await truth("F");
    expect(await pruneChanges(f.db.prisma, "public.orders_synced")).toBeGreaterThanOrEqual(3);
    const left = await f.db.pool.query(
      "SELECT order_key FROM app_data.order_status WHERE order_key = ANY($1)",
      [[agreeing, vanishing]],
    );
    expect(left.rowCount).toBe(0);
    const changes = await f.db.pool.query("SELECT 1 FROM app_data.order_change WHERE order_key = $1", [
      agreeing,
    ]);
    expect(changes.rowCount).toBe(0);
    expect(await truth("F")).toBe(before);
  });

  it("are changed once by a change sent twice (its write id): the second attempt answers with the first", async () => {
    const [key] = await keysOf("O", 1);
    const statement = statusChangeStatement(
      syncedTable({
        fullName: "c.public.orders_synced",
        catalog: "c",
        schema: "public",
        table: "orders_synced",
      }),
    );
    const input = {
      orderKey: key!,
      status: "F",
      expectedStatus: "O",
      actor: "twice@example.com",
      requestId: "r-twice",
      at: new Date(),
      writeId: crypto.randomUUID(),
    };
    const first = await runStatusChange(f.db.prisma, statement, input);
    const second = await runStatusChange(f.db.prisma, statement, input);
    expect(first.kind).toBe("committed");
    expect(second).toEqual(first);
    const rows = await f.db.pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM app_data.order_change WHERE order_key = $1)::int
            + (SELECT count(*) FROM app_data.order_status_history WHERE order_key = $1)::int AS n`,
      [key],
    );
    expect(rows.rows[0]!.n).toBe(2);
    // A new change (a new id) is checked as usual: the order is F now.
    expect(await runStatusChange(f.db.prisma, statement, { ...input, writeId: crypto.randomUUID() })).toEqual(
      {
        kind: "conflict",
        previousStatus: "F",
      },
    );
  });
});
