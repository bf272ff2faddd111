import { createOrdersFixture, type OrdersFixture } from "@lakebase-orders/api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_CHAINS_BUILT } from "../../routers/procedure-chain.ts";
import { singleQueryOf } from "./single-query.ts";

// Single GET queries answered without tRPC's fetch adapter must be indistinguishable from tRPC's own answer.
// An extra query parameter sends the same call through tRPC (the single-query path only takes `?input=`).

let f: OrdersFixture;

beforeAll(async () => {
  f = await createOrdersFixture("api_trpc_get", 2000);
  await f.services.orders.ready();
}, 120_000);

afterAll(async () => {
  await f?.close();
});

const url = (procedure: string, input?: unknown, extra = "") =>
  `/api/trpc/${procedure}?${input === undefined ? "" : `input=${encodeURIComponent(JSON.stringify(input))}`}${extra}`;

// Everything a JSON answer of the API carries; the direct path writes them all at once (complete-answers.ts).
const HEADERS = [
  "content-type",
  "vary",
  "content-security-policy",
  "x-content-type-options",
  "cross-origin-resource-policy",
  "strict-transport-security",
  "retry-after",
];

async function both(procedure: string, input?: unknown) {
  const direct = await f.fetch(url(procedure, input));
  const viaTrpc = await f.fetch(url(procedure, input, input === undefined ? "x=1" : "&x=1"));
  return { direct, viaTrpc, directBody: await direct.text(), trpcBody: await viaTrpc.text() };
}

describe("single GET queries", () => {
  it("answer with the same status, headers and bytes as tRPC", async () => {
    const calls: [string, unknown][] = [
      ["orders.byKey", { orderKey: 1 }],
      ["orders.list", { page: 2, pageSize: 7, sort: "-totalPrice", status: "F" }],
      ["orders.list", undefined],
      ["orders.stream", { cursor: 100, pageSize: 5, direction: "backward" }],
      ["orders.history", { orderKey: 1 }],
      ["orders.list", { priority: "4-NOT SPECIFIED", pageSize: 3 }],
      // Every query of the router takes this path, not only the orders' hot ones.
      ["orders.trend", { splitBy: "priority" }],
      ["views.list", undefined],
    ];
    for (const [procedure, input] of calls) {
      const r = await both(procedure, input);
      expect(r.direct.status).toBe(200);
      expect(r.viaTrpc.status).toBe(200);
      expect(r.directBody).toBe(r.trpcBody);
      for (const header of HEADERS) {
        expect(r.direct.headers.get(header)).toBe(r.viaTrpc.headers.get(header));
      }
      expect(r.direct.headers.get("x-request-id")).toBeTruthy();
    }
  });

  it("run every procedure on the chain tRPC built for it (an upgrade that moves it fails here)", () => {
    expect(ALL_CHAINS_BUILT).toBe(true);
  });

  it("decode a `+` as a space, as tRPC does", async () => {
    const res = await f.fetch(`/api/trpc/orders.count?input=${'{"priority":"4-NOT+SPECIFIED"}'}`);
    expect(res.status).toBe(200);
    const spaced = await f.fetch(url("orders.count", { priority: "4-NOT SPECIFIED" }));
    const a = (await res.json()) as { result: { data: { totalOrders: number } } };
    const b = (await spaced.json()) as { result: { data: { totalOrders: number } } };
    expect(a.result.data.totalOrders).toBe(b.result.data.totalOrders);
    expect(a.result.data.totalOrders).toBeGreaterThan(0);
  });

  it("answer failures as tRPC does: its error shape, its status and headers, its log line", async () => {
    for (const [procedure, input, status] of [
      ["orders.byKey", { orderKey: 999_999_999 }, 404],
      ["orders.list", { page: 0 }, 400],
      ["orders.count", { dateFrom: "0000-01-01" }, 400],
      ["orders.nope", {}, 404],
    ] as const) {
      const r = await both(procedure, input);
      expect(r.direct.status).toBe(status);
      expect(r.viaTrpc.status).toBe(status);
      expect(r.directBody).toBe(r.trpcBody);
      for (const header of HEADERS) {
        expect(r.direct.headers.get(header)).toBe(r.viaTrpc.headers.get(header));
      }
    }
    const res = await f.fetch(url("orders.byKey", { orderKey: 999_999_998 }), {
      headers: { "x-request-id": "direct-miss-1" },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get("x-request-id")).toBe("direct-miss-1");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const line = f.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.requestId === "direct-miss-1");
    expect(line).toMatchObject({
      outcome: "rejected",
      errors: [{ procedure: "orders.byKey", code: "NOT_FOUND" }],
    });
  });

  it("are chosen from the request's shape alone: every other shape is tRPC's adapter's", () => {
    const at = (path: string, method = "GET") => singleQueryOf(method, `http://t${path}`);
    expect(at(url("orders.byKey", { orderKey: 1 }))).toEqual({
      path: "orders.byKey",
      input: { orderKey: 1 },
    });
    expect(at("/api/trpc/views.list")).toEqual({ path: "views.list", input: undefined });
    expect(at("/api/trpc/views.list?")).toEqual({ path: "views.list", input: undefined });
    // Hono answers a HEAD with the GET handler, the body dropped.
    expect(at("/api/trpc/views.list", "HEAD")).toEqual({ path: "views.list", input: undefined });
    for (const [path, method] of [
      [url("orders.byKey", { orderKey: 1 }, "&x=1"), "GET"],
      ["/api/trpc/orders.byKey,orders.count?batch=1&input=%7B%7D", "GET"],
      [url("orders.updateStatus", { orderKey: 1, status: "F" }), "GET"],
      [url("lakebase.progress", {}), "GET"],
      ["/api/trpc/orders.byKey?input=%7Bnot-json", "GET"],
      [url("orders.nope", {}), "GET"],
      [url("orders.byKey", { orderKey: 1 }), "POST"],
    ] as const) {
      expect(at(path, method), `${method} ${path}`).toBeNull();
    }
  });

  it("leave batches and mutations to tRPC", async () => {
    const batch = await f.fetch(
      `/api/trpc/orders.count,orders.byKey?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: {}, 1: { orderKey: 1 } }))}`,
    );
    expect(batch.status).toBe(200);
    expect(((await batch.json()) as unknown[]).length).toBe(2);
    const mutation = await f.fetch(url("orders.updateStatus", { orderKey: 1, status: "F" }));
    expect(mutation.status).toBe(405);
  });
});
