import { createOrdersFixture, type OrdersFixture } from "@lakebase-orders/api/testing";
import { LOCAL_ADMIN } from "@lakebase-orders/config";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderFilters, OrderSort } from "../orders/schemas.ts";

const ROWS = 8000;
let f: OrdersFixture;

beforeAll(async () => {
  // Callers name themselves in X-Forwarded-Email, as behind a proxy.
  f = await createOrdersFixture("api_orders", ROWS, { TRUST_FORWARDED_HEADERS: "true" });
}, 120_000);

afterAll(async () => {
  await f?.close();
});

const SORT_SQL: Record<OrderSort, string> = {
  orderKey: "o.o_orderkey",
  "-orderKey": "o.o_orderkey DESC",
  orderDate: "o.o_orderdate, o.o_orderkey",
  "-orderDate": "o.o_orderdate DESC, o.o_orderkey DESC",
  totalPrice: "o.o_totalprice, o.o_orderkey",
  "-totalPrice": "o.o_totalprice DESC, o.o_orderkey DESC",
};

/** Ground truth, written independently of the API's SQL: filter on the overlaid status directly. */
async function truth(filters: OrderFilters, sort: OrderSort = "orderKey") {
  const { rows } = await f.db.pool.query<{ k: string; status: string }>(
    `SELECT o.o_orderkey AS k, COALESCE(s.status, o.o_orderstatus) AS status
       FROM public.orders_synced o LEFT JOIN app_data.order_status s ON s.order_key = o.o_orderkey
      WHERE ($1::text IS NULL OR COALESCE(s.status, o.o_orderstatus) = $1)
        AND ($2::text IS NULL OR o.o_orderpriority = $2)
        AND ($3::date IS NULL OR o.o_orderdate >= $3)
        AND ($4::date IS NULL OR o.o_orderdate <= $4)
      ORDER BY ${SORT_SQL[sort]}`,
    [filters.status ?? null, filters.priority ?? null, filters.dateFrom ?? null, filters.dateTo ?? null],
  );
  return rows.map((r) => ({ key: Number(r.k), status: r.status }));
}

async function anyOrderWithStatus(status: string): Promise<number> {
  const { rows } = await f.db.pool.query<{ k: string }>(
    `SELECT o_orderkey AS k FROM public.orders_synced
      WHERE o_orderstatus = $1 AND o_orderkey NOT IN (SELECT order_key FROM app_data.order_status)
      ORDER BY o_orderkey OFFSET 7 LIMIT 1`,
    [status],
  );
  return Number(rows[0]?.k);
}

async function listAll(filters: OrderFilters, sort: OrderSort, pageSize: number) {
  const keys: number[] = [];
  for (let page = 1; ; page++) {
    const r = await f.client.orders.list.query({
      ...filters,
      sort,
      page,
      pageSize,
      includeCount: page === 1,
    });
    keys.push(...r.orders.map((o) => o.orderKey));
    expect(r.pagination.hasPrevious).toBe(page > 1);
    if (!r.pagination.hasNext) break;
    expect(r.orders).toHaveLength(pageSize);
  }
  return keys;
}

async function streamAll(filters: OrderFilters, direction: "forward" | "backward", pageSize: number) {
  const keys: number[] = [];
  let cursor: number | null = null;
  for (;;) {
    const r = await f.client.orders.stream.query({ ...filters, cursor, direction, pageSize });
    const pageKeys = r.orders.map((o) => o.orderKey);
    expect(pageKeys).toEqual([...pageKeys].sort((a, b) => a - b));
    if (direction === "forward") keys.push(...pageKeys);
    else keys.unshift(...pageKeys);
    if (!r.pagination.hasNext) {
      expect(r.pagination.nextCursor).toBeNull();
      break;
    }
    cursor = r.pagination.nextCursor;
    expect(cursor).not.toBeNull();
  }
  return keys;
}

const FILTER_CASES: OrderFilters[] = [
  {},
  { status: "F" },
  { status: "P", priority: "1-URGENT" },
  { priority: "4-NOT SPECIFIED", dateFrom: "1994-01-01", dateTo: "1996-12-31" },
  { dateFrom: "1998-01-01" },
  { status: "O", dateTo: "1995-06-30" },
];

describe("orders.list", () => {
  it("pages tile the table in every sort order, with no gap or duplicate", async () => {
    for (const sort of Object.keys(SORT_SQL) as OrderSort[]) {
      const filters: OrderFilters = sort.includes("Date") ? { priority: "2-HIGH" } : {};
      const expected = (await truth(filters, sort)).map((r) => r.key);
      expect(expected.length).toBeGreaterThan(500);
      const got = await listAll(filters, sort, 997);
      expect(got).toEqual(expected);
    }
  });

  it("filters and counts agree with SQL", async () => {
    for (const filters of FILTER_CASES) {
      const expected = await truth(filters);
      const first = await f.client.orders.list.query({ ...filters, pageSize: 50 });
      expect(first.pagination.totalCount).toBe(expected.length);
      expect(first.pagination.totalPages).toBe(Math.ceil(expected.length / 50));
      expect(first.orders.map((o) => o.orderKey)).toEqual(expected.slice(0, 50).map((r) => r.key));
      const count = await f.client.orders.count.query(filters);
      expect(count.totalOrders).toBe(expected.length);
    }
  });

  it("answers the deep page of a sort like SQL does, and skips the count when asked", async () => {
    const expected = (await truth({}, "-totalPrice")).map((r) => r.key);
    const r = await f.client.orders.list.query({
      sort: "-totalPrice",
      page: 7,
      pageSize: 100,
      includeCount: false,
    });
    expect(r.orders.map((o) => o.orderKey)).toEqual(expected.slice(600, 700));
    expect(r.pagination).toMatchObject({
      totalCount: null,
      totalPages: null,
      hasNext: true,
      hasPrevious: true,
    });
    const past = await f.client.orders.list.query({ page: 1000, pageSize: 100 });
    expect(past.orders).toEqual([]);
    expect(past.pagination.hasNext).toBe(false);
  });

  it("returns orders in the documented wire shape", async () => {
    const { rows } = await f.db.pool.query(
      `SELECT o_orderkey::int AS k, o_custkey::int AS c, o_orderstatus, o_totalprice::text AS p,
              to_char(o_orderdate, 'YYYY-MM-DD') AS d, o_orderpriority, o_clerk, o_shippriority, o_comment
         FROM public.orders_synced WHERE o_orderkey NOT IN (SELECT order_key FROM app_data.order_status)
        ORDER BY o_orderkey DESC LIMIT 1`,
    );
    const row = rows[0];
    const order = await f.client.orders.byKey.query({ orderKey: row.k });
    expect(order).toEqual({
      orderKey: row.k,
      custKey: row.c,
      status: row.o_orderstatus,
      totalPrice: row.p,
      orderDate: row.d,
      priority: row.o_orderpriority,
      clerk: row.o_clerk,
      shipPriority: row.o_shippriority,
      comment: row.o_comment,
    });
    expect(order.totalPrice).toMatch(/^\d+\.\d\d$/);
  });
});

describe("orders.stream", () => {
  it("walks the whole filtered table forward and backward and agrees with list", async () => {
    for (const filters of [
      {},
      { status: "P" },
      { priority: "5-LOW", dateFrom: "1993-03-01" },
    ] as OrderFilters[]) {
      const expected = (await truth(filters)).map((r) => r.key);
      const forward = await streamAll(filters, "forward", 333);
      expect(forward).toEqual(expected);
      const backward = await streamAll(filters, "backward", 451);
      expect(backward).toEqual(expected);
      expect(await listAll(filters, "orderKey", 333)).toEqual(forward);
    }
  });

  it("continues from any cursor, exclusive of it", async () => {
    const expected = (await truth({})).map((r) => r.key);
    const cursor = expected[4321]!;
    const after = await f.client.orders.stream.query({ cursor, pageSize: 5 });
    expect(after.orders.map((o) => o.orderKey)).toEqual(expected.slice(4322, 4327));
    expect(after.pagination.nextCursor).toBe(expected[4326]);
    const before = await f.client.orders.stream.query({ cursor, pageSize: 5, direction: "backward" });
    expect(before.orders.map((o) => o.orderKey)).toEqual(expected.slice(4316, 4321));
    expect(before.pagination.nextCursor).toBe(expected[4316]);
  });
});

describe("status overlay", () => {
  it("an app-side change shows in list, stream, byKey, count and stats", async () => {
    const key = await anyOrderWithStatus("F");
    const before = await f.client.orders.stats.query({ status: "P" });
    const countP = (await f.client.orders.count.query({ status: "P" })).totalOrders;
    const countF = (await f.client.orders.count.query({ status: "F" })).totalOrders;

    const result = await f.client.orders.updateStatus.mutate({ orderKey: key, status: "P" });
    expect(result).toMatchObject({
      orderKey: key,
      status: "P",
      previousStatus: "F",
      updatedBy: LOCAL_ADMIN,
    });
    expect(Number.isNaN(Date.parse(result.updatedAt))).toBe(false);

    expect((await f.client.orders.byKey.query({ orderKey: key })).status).toBe("P");
    expect((await f.client.orders.count.query({ status: "P" })).totalOrders).toBe(countP + 1);
    expect((await f.client.orders.count.query({ status: "F" })).totalOrders).toBe(countF - 1);

    const listP = await listAll({ status: "P" }, "orderKey", 1000);
    expect(listP).toContain(key);
    expect(listP).toEqual((await truth({ status: "P" })).map((r) => r.key));
    expect(await listAll({ status: "F" }, "-totalPrice", 1000)).not.toContain(key);
    const page = await f.client.orders.list.query({ dateFrom: "1992-01-01", pageSize: 1000 });
    const inList = page.orders.find((o) => o.orderKey === key);
    if (inList) expect(inList.status).toBe("P");
    expect(await streamAll({ status: "P" }, "forward", 500)).toContain(key);
    const streamed = await f.client.orders.stream.query({ cursor: key - 1, pageSize: 1 });
    expect(streamed.orders[0]).toMatchObject({ orderKey: key, status: "P" });

    const after = await f.client.orders.stats.query({ status: "P" });
    expect(after.totalOrders).toBe(before.totalOrders + 1);
    expect(after.byStatus).toEqual([{ status: "P", count: countP + 1 }]);
    const all = await f.client.orders.stats.query();
    const truthAll = await truth({});
    expect(all.totalOrders).toBe(ROWS);
    for (const s of ["F", "O", "P"]) {
      expect(all.byStatus.find((b) => b.status === s)?.count).toBe(
        truthAll.filter((r) => r.status === s).length,
      );
    }
    expect(all.byPriority.reduce((n, b) => n + b.count, 0)).toBe(ROWS);
    expect(all.ttlSeconds).toBeGreaterThan(0);
  });

  it("keeps history newest first with who and when, and never touches the synced table", async () => {
    const key = await anyOrderWithStatus("O");
    await f.client.orders.updateStatus.mutate({ orderKey: key, status: "F" });
    await f.client.orders.updateStatus.mutate({ orderKey: key, status: "P", expectedStatus: "F" });
    const history = await f.client.orders.history.query({ orderKey: key });
    expect(history.orderKey).toBe(key);
    expect(history.changes.map((c) => [c.previousStatus, c.status])).toEqual([
      ["F", "P"],
      ["O", "F"],
    ]);
    expect(history.changes[0]!.changedAt >= history.changes[1]!.changedAt).toBe(true);
    expect(history.changes[0]!.changedBy).toBe(LOCAL_ADMIN);
    // Another analyst learns that someone else changed it, not their e-mail address.
    const other = await f.fetch(
      `/api/trpc/orders.history?input=${encodeURIComponent(JSON.stringify({ orderKey: key }))}`,
      {
        headers: { "X-Forwarded-Email": "analyst@example.com" },
      },
    );
    const seen = ((await other.json()) as { result: { data: { changes: { changedBy: string }[] } } }).result
      .data;
    expect(seen.changes.map((c) => c.changedBy)).toEqual(["another user", "another user"]);
    expect(JSON.stringify(seen)).not.toContain("@");
    const synced = await f.db.pool.query(
      "SELECT o_orderstatus FROM public.orders_synced WHERE o_orderkey = $1",
      [key],
    );
    expect(synced.rows[0].o_orderstatus).toBe("O");
    const untouched = await anyOrderWithStatus("F");
    expect((await f.client.orders.history.query({ orderKey: untouched })).changes).toEqual([]);
  });

  it("takes the acting identity from the Databricks Apps proxy headers", async () => {
    const key = await anyOrderWithStatus("O");
    const res = await f.fetch("/api/trpc/orders.updateStatus", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-forwarded-email": "ana@example.com",
        "x-forwarded-user": "123",
      },
      body: JSON.stringify({ orderKey: key, status: "F" }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: { data: { updatedBy: string } } }).result.data.updatedBy).toBe(
      "ana@example.com",
    );
  });

  it("answers CONFLICT when expectedStatus is stale, and does not write", async () => {
    const key = await anyOrderWithStatus("O");
    const error = await f.client.orders.updateStatus
      .mutate({ orderKey: key, status: "F", expectedStatus: "P" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toMatchObject({ code: "CONFLICT", httpStatus: 409 });
    expect((await f.client.orders.byKey.query({ orderKey: key })).status).toBe("O");
    expect((await f.client.orders.history.query({ orderKey: key })).changes).toEqual([]);
  });

  it("lets exactly one of two concurrent changes with the same expectedStatus win", async () => {
    const key = await anyOrderWithStatus("O");
    const results = await Promise.allSettled([
      f.client.orders.updateStatus.mutate({ orderKey: key, status: "F", expectedStatus: "O" }),
      f.client.orders.updateStatus.mutate({ orderKey: key, status: "P", expectedStatus: "O" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected");
    expect(rejected).toBeDefined();
    expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(TRPCClientError);
    expect(((rejected as PromiseRejectedResult).reason as TRPCClientError<never>).data).toMatchObject({
      code: "CONFLICT",
    });
    expect((await f.client.orders.history.query({ orderKey: key })).changes).toHaveLength(1);
  });
});

describe("errors", () => {
  it("answers NOT_FOUND naming the key", async () => {
    const missing = 999_999_999;
    for (const call of [
      () => f.client.orders.byKey.query({ orderKey: missing }),
      () => f.client.orders.history.query({ orderKey: missing }),
      () => f.client.orders.updateStatus.mutate({ orderKey: missing, status: "F" }),
    ]) {
      const error = (await call().catch((e: unknown) => e)) as TRPCClientError<never>;
      expect(error.data).toMatchObject({ code: "NOT_FOUND", httpStatus: 404 });
      expect(error.message).toContain(String(missing));
    }
  });

  const badInputs: [string, unknown, string][] = [
    ["orders.list", { page: 0 }, "page"],
    ["orders.list", { pageSize: 1001 }, "pageSize"],
    ["orders.list", { pageSize: "10" }, "pageSize"],
    ["orders.list", { sort: "comment" }, "sort"],
    ["orders.list", { status: "X" }, "status"],
    ["orders.list", { priority: "URGENT" }, "priority"],
    ["orders.list", { dateFrom: "1995-02-30" }, "dateFrom"],
    ["orders.list", { dateTo: "yesterday" }, "dateTo"],
    ["orders.list", { dateFrom: "1996-01-01", dateTo: "1995-01-01" }, "dateFrom"],
    ["orders.count", { dateFrom: "1996-01-01", dateTo: "1995-01-01" }, "dateFrom"],
    ["orders.stats", { status: "f" }, "status"],
    ["orders.stream", { cursor: -5 }, "cursor"],
    ["orders.stream", { direction: "sideways" }, "direction"],
    ["orders.byKey", { orderKey: 1.5 }, "orderKey"],
    ["orders.byKey", { orderKey: "1" }, "orderKey"],
    ["orders.byKey", {}, "orderKey"],
    ["orders.history", { orderKey: 0 }, "orderKey"],
  ];

  it.each(badInputs)("%s %j is BAD_REQUEST with field errors on %s", async (procedure, input, field) => {
    const res = await f.fetch(`/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { data: { code: string; zodError: { fieldErrors: Record<string, string[]> } } };
    };
    expect(body.error.data.code).toBe("BAD_REQUEST");
    expect(body.error.data.zodError.fieldErrors[field]?.length).toBeGreaterThan(0);
  });

  it("rejects a bad mutation input with field errors", async () => {
    const error = (await f.client.orders.updateStatus
      .mutate({ orderKey: 1, status: "Z" as "F" })
      .catch((e: unknown) => e)) as TRPCClientError<never>;
    expect(error.data).toMatchObject({ code: "BAD_REQUEST" });
    expect(
      (error.data as unknown as { zodError: { fieldErrors: Record<string, string[]> } }).zodError.fieldErrors
        .status,
    ).toBeDefined();
  });
});

describe("wire", () => {
  it("is plain JSON that curl can read", async () => {
    const key = (await truth({}))[10]!.key;
    const res = await f.fetch(
      `/api/trpc/orders.byKey?input=${encodeURIComponent(JSON.stringify({ orderKey: key }))}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = (await res.json()) as { result: { data: Record<string, unknown> } };
    expect(body.result.data.orderKey).toBe(key);
    expect(typeof body.result.data.totalPrice).toBe("string");
    expect(body.result.data.orderDate).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("batches several calls into one HTTP request", async () => {
    const before = f.httpRequests.length;
    const keys = (await truth({})).slice(0, 3).map((r) => r.key);
    const [orders, count] = await Promise.all([
      Promise.all(keys.map((orderKey) => f.client.orders.byKey.query({ orderKey }))),
      f.client.orders.count.query({}),
    ]);
    expect(orders.map((o) => o.orderKey)).toEqual(keys);
    expect(count).toMatchObject({ totalOrders: ROWS, stale: false });
    expect(f.httpRequests.length - before).toBe(1);
    expect(f.httpRequests.at(-1)).toContain("orders.byKey,orders.byKey,orders.byKey,orders.count");
  });

  it("logs one JSON line per request with its id and procedures, and no password", async () => {
    const res = await f.fetch(
      `/api/trpc/orders.count,orders.byKey?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: {}, 1: { orderKey: 999_999_999 } }))}`,
      {
        headers: { "x-request-id": "req-abc-123" },
      },
    );
    expect(res.headers.get("x-request-id")).toBe("req-abc-123");
    const lines = f.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.requestId === "req-abc-123");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: "request",
      procedures: ["orders.count", "orders.byKey"],
      outcome: "rejected",
      errors: [{ procedure: "orders.byKey", code: "NOT_FOUND" }],
    });
    expect(typeof lines[0]!.durationMs).toBe("number");
    const password = new URL(f.database.url).password;
    expect(password.length).toBeGreaterThan(0);
    expect(f.logs.join("\n")).not.toContain(`:${password}@`);
  });

  it("serves health", async () => {
    const res = await f.fetch("/api/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    const ready = await f.fetch("/api/ready");
    expect(ready.status).toBe(200);
  });
});

describe("data availability", () => {
  it("answers PRECONDITION_FAILED while the synced table does not exist, then serves once it does", async () => {
    const empty = await createOrdersFixture("api_nosync", null);
    try {
      for (const path of ["orders.list", "orders.count", "orders.stats", "orders.stream"]) {
        const res = await empty.fetch(`/api/trpc/${path}`);
        expect(res.status).toBe(412);
        const body = (await res.json()) as { error: { message: string; data: { code: string } } };
        expect(body.error.data.code).toBe("PRECONDITION_FAILED");
        expect(body.error.message).toMatch(/not available/);
        expect(body.error.message).toContain("orders_synced");
      }
      await empty.db.pool.query(
        "CREATE TABLE public.orders_synced (o_orderkey bigint PRIMARY KEY, o_custkey bigint, o_orderstatus text, o_totalprice numeric(18,2), o_orderdate date, o_orderpriority text, o_clerk text, o_shippriority int, o_comment text)",
      );
      await new Promise((r) => setTimeout(r, 1100));
      expect(await empty.client.orders.count.query()).toMatchObject({ totalOrders: 0 });
    } finally {
      await empty.close();
    }
  });
});
