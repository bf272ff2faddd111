import { createOrdersFixture, type OrdersFixture } from "@lakebase-orders/api/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Issue 27: a read that outlives its statement timeout (SQLSTATE 57014: a table-scan sort at scale, a table
// a refresh holds) is the database being busy, not the app being broken: 503 with Retry-After, never 500.
// Real PostgreSQL, the app's own pool with a statement timeout of 300 ms, and reads that really take longer:
// they wait behind a lock the test holds, which would let them wait 1 s (lock_timeout), so the statement
// timeout ends them first.

const STATEMENT_TIMEOUT_MS = 300;
let f: OrdersFixture;

beforeAll(async () => {
  f = await createOrdersFixture(
    "stmt_timeout",
    2000,
    { ORDERS_SORT_KEYS: "off" },
    {},
    {
      statementTimeoutMillis: STATEMENT_TIMEOUT_MS,
    },
  );
  await f.services.orders.ready();
}, 120_000);

afterAll(async () => {
  await f?.close();
});

const trpc = (procedure: string, input: unknown) =>
  f.fetch(`/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`);

describe("a statement timeout on the read paths", () => {
  it("answers 503 with Retry-After on tRPC and REST, and the same reads answer once the database is free", async () => {
    const holder = new pg.Client({ connectionString: f.database.url });
    await holder.connect();
    const reads: [string, () => Promise<Response>][] = [
      ["trpc byKey", () => trpc("orders.byKey", { orderKey: 1 })],
      ["trpc list by price", () => trpc("orders.list", { sort: "-totalPrice", pageSize: 20 })],
      ["trpc stream", () => trpc("orders.stream", { cursor: 100, pageSize: 20 })],
      ["rest byKey", () => f.fetch("/api/v1/orders/1")],
      ["rest pages by price", () => f.fetch("/api/v1/orders/pages?sort=-totalPrice&page_size=20")],
      ["rest stream", () => f.fetch("/api/v1/orders/stream?cursor=100&page_size=20")],
    ];
    let answers: { name: string; status: number; retryAfter: string | null; body: string }[];
    try {
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE public.orders_synced IN ACCESS EXCLUSIVE MODE");
      answers = await Promise.all(
        reads.map(async ([name, read]) => {
          const res = await read();
          return {
            name,
            status: res.status,
            retryAfter: res.headers.get("retry-after"),
            body: await res.text(),
          };
        }),
      );
    } finally {
      await holder.query("ROLLBACK").catch(() => undefined);
      await holder.end();
    }
    const shown = JSON.stringify(answers, null, 1);
    for (const a of answers) {
      expect(a.status, shown).toBe(503);
      expect(a.retryAfter, shown).toBe("2");
      expect(a.body, shown).toContain("did not answer within this request's time budget");
    }
    // The statement timeout ended them (57014), not the lock timeout (55P03): each logged its cause.
    const codes = f.logs
      .map((l) => JSON.parse(l) as { msg: string; error?: { code?: string } })
      .filter((l) => l.msg === "procedure rejected")
      .map((l) => l.error?.code);
    expect(codes, shown).toEqual(Array(reads.length).fill("57014"));

    for (const [name, read] of reads) expect((await read()).status, name).toBe(200);
  });
});
