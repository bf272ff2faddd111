import { createOrdersFixture, type OrdersFixture } from "@lakebase-orders/api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROWS = 3000;
let f: OrdersFixture;
let empty: OrdersFixture;

beforeAll(async () => {
  [f, empty] = await Promise.all([
    // Callers name themselves in X-Forwarded-Email, as behind a proxy.
    createOrdersFixture("api_rest_orders", ROWS, { TRUST_FORWARDED_HEADERS: "true" }),
    createOrdersFixture("api_rest_orders_empty", null),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([f?.close(), empty?.close()]);
});

async function get(path: string, init?: RequestInit) {
  const res = await f.fetch(path, init);
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body, headers: res.headers };
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  get(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

/** Ground truth, independent of the API: the synced row with the overlay applied. */
async function row(key: number) {
  const { rows } = await f.db.pool.query(
    `SELECT o.o_orderkey::int AS o_orderkey, o.o_custkey::int AS o_custkey,
            COALESCE(s.status, o.o_orderstatus) AS o_orderstatus, o.o_totalprice::float8 AS o_totalprice,
            to_char(o.o_orderdate, 'YYYY-MM-DD') AS o_orderdate, o.o_orderpriority, o.o_clerk, o.o_shippriority,
            o.o_comment
       FROM public.orders_synced o LEFT JOIN app_data.order_status s ON s.order_key = o.o_orderkey
      WHERE o.o_orderkey = $1`,
    [key],
  );
  return rows[0] as Record<string, unknown>;
}

async function keyWithStatus(status: string, offset: number): Promise<number> {
  const { rows } = await f.db.pool.query<{ k: string }>(
    `SELECT o_orderkey AS k FROM public.orders_synced
      WHERE o_orderstatus = $1 AND o_orderkey NOT IN (SELECT order_key FROM app_data.order_status)
      ORDER BY o_orderkey OFFSET $2 LIMIT 1`,
    [status, offset],
  );
  return Number(rows[0]?.k);
}

const ABSENT = 999_999_999;

describe("the guide's test expectations", () => {
  it("GET /api/v1/orders/count is 200 with an integer total_orders", async () => {
    const { status, body } = await get("/api/v1/orders/count");
    expect(status).toBe(200);
    expect(Number.isInteger(body.total_orders)).toBe(true);
    expect(body).toEqual({ total_orders: ROWS });
  });

  it("POST /api/v1/orders/{key}/status echoes F, and orders.byKey and the history show it", async () => {
    const key = await keyWithStatus("O", 3);
    const { status, body } = await post(`/api/v1/orders/${key}/status`, { o_orderstatus: "F" });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      o_orderkey: key,
      o_orderstatus: "F",
      message: "Order status updated successfully",
      previous_status: "O",
    });
    expect((await f.client.orders.byKey.query({ orderKey: key })).status).toBe("F");
    const trpcHistory = await f.client.orders.history.query({ orderKey: key });
    expect(trpcHistory.changes[0]).toMatchObject({ status: "F", previousStatus: "O" });
    const restHistory = await get(`/api/v1/orders/${key}/history`);
    expect(restHistory.body).toMatchObject({
      o_orderkey: key,
      changes: [{ status: "F", previous_status: "O", changed_by: trpcHistory.changes[0]?.changedBy }],
    });
    // The synced table itself is never written.
    const synced = await f.db.pool.query(
      "SELECT o_orderstatus FROM public.orders_synced WHERE o_orderkey = $1",
      [key],
    );
    expect(synced.rows[0]?.o_orderstatus).toBe("O");
  });
});

describe("the write position (read-your-writes in any instance)", () => {
  it("a status change answers with its position, in a header and an HttpOnly cookie for /api", async () => {
    const key = await keyWithStatus("O", 5);
    const { status, headers } = await post(`/api/v1/orders/${key}/status`, { o_orderstatus: "P" });
    expect(status).toBe(200);
    const token = headers.get("orders-write-position");
    expect(token).toMatch(/^[0-9]+@[0-9A-F]+\/[0-9A-F]+$/);
    const { rows } = await f.db.pool.query<{ seq: string }>(
      "SELECT max(seq)::text AS seq FROM app_data.order_change WHERE order_key = $1",
      [key],
    );
    expect(token?.split("@")[0]).toBe(rows[0]?.seq);
    const cookie = headers.get("set-cookie") ?? "";
    expect(cookie).toContain(`orders_write_position=${token};`);
    expect(cookie).toMatch(/Path=\/api;.*HttpOnly/);
    // Presented back: the read sees the change (here on the one database there is).
    const read = await get(`/api/v1/orders/${key}`, { headers: { "Orders-Write-Position": token ?? "" } });
    expect(read.status).toBe(200);
    expect(read.body.o_orderstatus).toBe("P");
    // Through tRPC as well, with the cookie the browser would send; a later change's token covers both.
    const other = await keyWithStatus("O", 6);
    const res = await f.fetch("/api/trpc/orders.updateStatus", {
      method: "POST",
      headers: { "Content-Type": "application/json", Cookie: `orders_write_position=${token}` },
      body: JSON.stringify({ orderKey: other, status: "F" }),
    });
    expect(res.status).toBe(200);
    const later = res.headers.get("orders-write-position") ?? "";
    expect(Number(later.split("@")[0])).toBeGreaterThan(Number(token?.split("@")[0]));
    expect(res.headers.get("set-cookie")).toContain(`orders_write_position=${later};`);
  });

  it("a malformed position header is 400 naming it; a malformed cookie is ignored", async () => {
    for (const bad of ["x", "12@zz", "-1", "0", "1@1/2/3"]) {
      const r = await get("/api/v1/orders/1", { headers: { "Orders-Write-Position": bad } });
      expect(r.status).toBe(400);
      expect(String(r.body.detail)).toContain("Orders-Write-Position");
    }
    const r = await get("/api/v1/orders/1", {
      headers: { Cookie: "orders_write_position=nonsense; other=1" },
    });
    expect(r.status).toBe(200);
    // A number never committed: read as usual, not an error, not a wait for the whole read budget.
    const started = performance.now();
    const never = await get("/api/v1/orders/1", { headers: { "Orders-Write-Position": "999999999@0/1" } });
    expect(never.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe("GET /api/v1/orders/{order_key}", () => {
  it("is the order in the guide's shape, the price a JSON number, the status the current one", async () => {
    const key = await keyWithStatus("P", 0);
    const { status, body } = await get(`/api/v1/orders/${key}`);
    expect(status).toBe(200);
    expect(body).toEqual(await row(key));
    expect(typeof body.o_totalprice).toBe("number");
    const trpc = await f.client.orders.byKey.query({ orderKey: key });
    expect(body.o_totalprice).toBe(Number(trpc.totalPrice));
  });

  it("is 400 naming order_key for a key <= 0 or not a number, 404 when absent", async () => {
    for (const bad of ["0", "-5", "abc", "1.5"]) {
      const { status, body } = await get(`/api/v1/orders/${bad}`);
      expect(status, bad).toBe(400);
      expect(body.detail, bad).toMatch(/^order_key: /);
    }
    const absent = await get(`/api/v1/orders/${ABSENT}`);
    expect(absent).toMatchObject({ status: 404, body: { detail: `Order ${ABSENT} not found` } });
  });
});

describe("GET /api/v1/orders/pages", () => {
  it("pages like orders.list, with the count fields only when asked for", async () => {
    const { status, body } = await get("/api/v1/orders/pages?page=2&page_size=50&include_count=true");
    expect(status).toBe(200);
    const trpc = await f.client.orders.list.query({ page: 2, pageSize: 50 });
    expect((body.orders as { o_orderkey: number }[]).map((o) => o.o_orderkey)).toEqual(
      trpc.orders.map((o) => o.orderKey),
    );
    expect(body.pagination).toEqual({
      page: 2,
      page_size: 50,
      has_next: true,
      has_previous: true,
      total_count: ROWS,
      total_pages: ROWS / 50,
    });
    const uncounted = await get("/api/v1/orders/pages?page=1&page_size=10&include_count=false");
    expect(uncounted.body.pagination).toEqual({
      page: 1,
      page_size: 10,
      has_next: true,
      has_previous: false,
    });
    // The defaults are the guide's: page 1, 100 orders, counted.
    const defaults = await get("/api/v1/orders/pages");
    expect(defaults.body.orders).toHaveLength(100);
    expect(defaults.body.pagination).toMatchObject({ page: 1, page_size: 100, total_count: ROWS });
  });

  it("takes our filters and sorts, and refuses bad input with 400 naming the field", async () => {
    const filtered = await get(
      "/api/v1/orders/pages?status=F&priority=1-URGENT&sort=-totalPrice&page_size=5",
    );
    expect(filtered.status).toBe(200);
    const trpc = await f.client.orders.list.query({
      status: "F",
      priority: "1-URGENT",
      sort: "-totalPrice",
      pageSize: 5,
    });
    expect(filtered.body.orders).toEqual(
      trpc.orders.map((o) => expect.objectContaining({ o_orderkey: o.orderKey })),
    );
    expect(filtered.body.pagination).toMatchObject({ total_count: trpc.pagination.totalCount });

    const cases: [string, RegExp][] = [
      ["page_size=5000", /^page_size: Too big/],
      ["page_size=0", /^page_size: Too small/],
      ["page=abc", /^page: .*expected number/],
      ["include_count=maybe", /^include_count: .*expected boolean/],
      ["status=X", /^status: Invalid option/],
      ["date_from=1996-13-01", /^date_from: /],
      // The procedure's own rule, spoken with the REST names.
      ["date_from=1997-01-01&date_to=1996-01-01", /^date_from must be on or before date_to$/],
    ];
    for (const [query, detail] of cases) {
      const { status, body } = await get(`/api/v1/orders/pages?${query}`);
      expect(status, query).toBe(400);
      expect(body.detail, query).toMatch(detail);
    }
  });
});

describe("GET /api/v1/orders/stream", () => {
  it("walks the table with next_cursor, as orders.stream does", async () => {
    const keys: number[] = [];
    let cursor = 0;
    for (;;) {
      const { status, body } = await get(`/api/v1/orders/stream?cursor=${cursor}&page_size=700`);
      expect(status).toBe(200);
      const page = body as {
        orders: { o_orderkey: number }[];
        pagination: { next_cursor: number | null; has_next: boolean };
      };
      keys.push(...page.orders.map((o) => o.o_orderkey));
      if (!page.pagination.has_next) {
        expect(page.pagination.next_cursor).toBeNull();
        break;
      }
      cursor = page.pagination.next_cursor ?? 0;
    }
    const { rows } = await f.db.pool.query<{ k: string }>(
      "SELECT o_orderkey AS k FROM public.orders_synced ORDER BY 1",
    );
    expect(keys).toEqual(rows.map((r) => Number(r.k)));
  });

  it("is 400 for a negative cursor or an unknown direction", async () => {
    expect((await get("/api/v1/orders/stream?cursor=-1")).body.detail).toMatch(/^cursor: Too small/);
    expect((await get("/api/v1/orders/stream?direction=sideways")).status).toBe(400);
  });
});

describe("POST /api/v1/orders/{order_key}/status", () => {
  it("refuses a bad status, a missing or malformed body, a non-JSON body, and a bad key with 400/415", async () => {
    const key = await keyWithStatus("F", 11);
    const bad = await post(`/api/v1/orders/${key}/status`, { o_orderstatus: "X" });
    expect(bad).toMatchObject({
      status: 400,
      body: { detail: expect.stringMatching(/^o_orderstatus: Invalid option/) },
    });
    const missing = await post(`/api/v1/orders/${key}/status`, {});
    expect(missing.body.detail).toMatch(/^o_orderstatus: /);
    const malformed = await post(`/api/v1/orders/${key}/status`, "{not json");
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toMatch(/JSON/);
    const text = await get(`/api/v1/orders/${key}/status`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({ o_orderstatus: "F" }),
    });
    expect(text).toMatchObject({
      status: 415,
      body: { detail: expect.stringMatching(/^Unsupported Media Type/) },
    });
    expect((await post("/api/v1/orders/0/status", { o_orderstatus: "F" })).status).toBe(400);
    // Nothing was written.
    expect((await f.client.orders.history.query({ orderKey: key })).changes).toEqual([]);
  });

  it("is 404 for an absent order and 409 when expected_status is stale", async () => {
    const absent = await post(`/api/v1/orders/${ABSENT}/status`, { o_orderstatus: "F" });
    expect(absent).toMatchObject({ status: 404, body: { detail: `Order ${ABSENT} not found` } });
    const key = await keyWithStatus("F", 12);
    const stale = await post(`/api/v1/orders/${key}/status`, { o_orderstatus: "P", expected_status: "O" });
    expect(stale.status).toBe(409);
    expect(stale.body.detail).toMatch(/has status F, not the expected O/);
  });

  it("records who changed it, from the same identity headers as tRPC", async () => {
    const key = await keyWithStatus("F", 13);
    const r = await post(
      `/api/v1/orders/${key}/status`,
      { o_orderstatus: "P" },
      { "X-Forwarded-Email": "ann@example.com" },
    );
    expect(r.body).toMatchObject({ updated_by: "ann@example.com", previous_status: "F" });
  });
});

describe("our additions and the guide's helpers", () => {
  it("stats, sample, filtered count and healthcheck answer like their procedures", async () => {
    const stats = await get("/api/v1/orders/stats?priority=2-HIGH");
    const trpcStats = await f.client.orders.stats.query({ priority: "2-HIGH" });
    expect(stats.body).toMatchObject({
      total_orders: trpcStats.totalOrders,
      by_status: trpcStats.byStatus,
      by_priority: trpcStats.byPriority,
      ttl_seconds: trpcStats.ttlSeconds,
    });
    const count = await get("/api/v1/orders/count?status=P");
    expect(count.body).toEqual({
      total_orders: (await f.client.orders.count.query({ status: "P" })).totalOrders,
    });
    const sample = await get("/api/v1/orders/sample");
    const first = await f.db.pool.query<{ k: string }>(
      "SELECT o_orderkey AS k FROM public.orders_synced ORDER BY 1 LIMIT 5",
    );
    expect(sample.body).toEqual({ sample_order_keys: first.rows.map((r) => Number(r.k)) });
    expect((await get("/api/v1/healthcheck")).body).toMatchObject({ status: "OK" });
    expect((await get(`/api/v1/orders/${ABSENT}/history`)).status).toBe(404);
  });

  it("answers carry the headers of an API answer and the request id, written whole, as tRPC's do", async () => {
    for (const [path, expected] of [
      ["/api/v1/orders/1", 200],
      ["/api/v1/orders/0", 400],
      [`/api/v1/orders/${ABSENT}`, 404],
      ["/api/v1/nope", 404],
    ] as const) {
      const { status, headers } = await get(path, { headers: { "x-request-id": "rest-headers-1" } });
      expect(status, path).toBe(expected);
      expect(headers.get("content-type"), path).toBe("application/json");
      expect(headers.get("x-request-id"), path).toBe("rest-headers-1");
      expect(headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(headers.get("content-security-policy"), path).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(headers.get("cross-origin-resource-policy"), path).toBe("same-origin");
      expect(headers.get("strict-transport-security"), path).toContain("max-age=");
    }
  });

  it("answers unknown routes with 404 and a detail", async () => {
    expect(await get("/api/v1/nothing")).toMatchObject({ status: 404, body: { detail: "Not Found" } });
  });
});

describe("when the synced table does not exist", () => {
  it("every orders route is 412 with the reason, never a 500", async () => {
    for (const path of [
      "/api/v1/orders/count",
      "/api/v1/orders/pages",
      "/api/v1/orders/stream",
      "/api/v1/orders/7",
    ]) {
      const res = await empty.fetch(path);
      expect(res.status, path).toBe(412);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/does not exist/);
    }
  });
});
