import { createOrdersFixture, type OrdersFixture } from "@lakebase-orders/api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The changes budget as the app applies it (http/app.ts), through tRPC's own batch decoding: every call in a
// batch is a change, however the batch spells its commas.
let f: OrdersFixture;
const LIMIT = 5;

beforeAll(async () => {
  f = await createOrdersFixture("api_write_budget", 50, {
    RATE_LIMIT_WRITES_PER_MINUTE: String(LIMIT),
    // A caller per case, named in X-Forwarded-Email as behind a proxy.
    TRUST_FORWARDED_HEADERS: "true",
  });
}, 120_000);

afterAll(async () => {
  await f?.close();
});

const changes = (n: number, comma: string) =>
  f.fetch(`/api/trpc/${Array(n).fill("orders.updateStatus").join(comma)}?batch=1`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Forwarded-Email": `writer-${encodeURIComponent(comma).replaceAll("%", "")}@example.com`,
    },
    body: JSON.stringify(
      Object.fromEntries(Array.from({ length: n }, (_, i) => [i, { orderKey: 1, status: "F" }])),
    ),
  });

describe("the changes budget", () => {
  it.each([",", "%2C", "%2c"])("charges each call of a batch whose commas are written %s", async (comma) => {
    const batch = await changes(LIMIT, comma);
    expect(batch.status).toBe(200);
    expect((await batch.json()) as unknown[]).toHaveLength(LIMIT);
    // The batch spent the whole budget: one more change is refused.
    const next = await changes(1, comma);
    expect(next.status).toBe(429);
    expect(next.headers.get("retry-after")).not.toBeNull();
  });
});
