import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { migrate } from "@lakebase-orders/api/testing";
import { createDb } from "@lakebase-orders/db";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import { loadOrders } from "@lakebase-orders/tpch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The server as `node server.mjs` runs it, with two workers. The rollup's own check is slowed to a minute,
// so anything one worker learns at once about another's writes came over the cluster's bus. A second
// database plays a readable secondary that never catches up (as in read-replica.test.ts): who answered shows.

const KEY = 1;
let primary: TestDatabase;
let replica: TestDatabase;
let server: ChildProcess;
let baseUrl: string;
const lines: Record<string, unknown>[] = [];
let exited: Promise<{ code: number | null; ms: number }> | undefined;

async function seed(url: string): Promise<void> {
  const d = createDb({ connectionString: url, max: 1 });
  try {
    const c = await d.pool.connect();
    try {
      await loadOrders(c, { rows: 3000, seed: 5 });
    } finally {
      c.release();
    }
    await migrate(d);
  } finally {
    await d.disconnect();
  }
}

beforeAll(async () => {
  [primary, replica] = await Promise.all([
    createTestDatabase("api_cluster"),
    createTestDatabase("api_cluster_ro"),
  ]);
  await Promise.all([seed(primary.url), seed(replica.url)]);
  const marker = createDb({ connectionString: replica.url, max: 1 });
  await marker.pool.query(
    "UPDATE public.orders_synced SET o_comment = 'served by the replica' WHERE o_orderkey = $1",
    [KEY],
  );
  await marker.disconnect();

  const main = path.join(import.meta.dirname, "../main.ts");
  server = spawn(process.execPath, ["--import", "tsx", main], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      LAKEBASE_PG_URL: primary.url,
      LAKEBASE_PG_READ_URL: replica.url,
      HOST: "127.0.0.1",
      PORT: "0",
      CLUSTER_WORKERS: "2",
      // Writer and analyst are told apart by the forwarded e-mail, as behind the Apps proxy.
      TRUST_FORWARDED_HEADERS: "true",
      ORDERS_ROLLUP_CHECK_SECONDS: "60",
      // Per identity and per server (not per worker): see the limits test below.
      RATE_LIMIT_WRITES_PER_MINUTE: "6",
    },
  });
  let buffered = "";
  server.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const line of parts)
      if (line.startsWith("{")) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  server.stderr?.setEncoding("utf8").on("data", (chunk: string) => process.stderr.write(chunk));
  const deadline = Date.now() + 60_000;
  // Each worker listens first and reaches its database in the background: both must be ready.
  while (lines.filter((l) => l.msg === "database ready").length < 2) {
    if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode})`);
    if (Date.now() > deadline) throw new Error("two workers were not ready within 60 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  baseUrl = String(lines.find((l) => l.msg === "listening")?.url);
}, 120_000);

afterAll(async () => {
  if (server && server.exitCode === null) server.kill("SIGKILL");
  await primary?.drop();
  await replica?.drop();
});

/** One request on a new connection: the cluster hands connections to its workers in turn. */
function get(p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${baseUrl}${p}`, { agent: false, headers }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (c: string) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

const query = async <T>(
  procedure: string,
  input: unknown,
  headers: Record<string, string> = {},
): Promise<T> => {
  const r = await get(`/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, headers);
  expect(r.status).toBe(200);
  return (JSON.parse(r.body) as { result: { data: T } }).result.data;
};

async function mutate(status: string, email: string): Promise<void> {
  const res = await fetch(`${baseUrl}/api/trpc/orders.updateStatus`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-email": email },
    body: JSON.stringify({ orderKey: KEY, status }),
  });
  expect(res.status).toBe(200);
}

const workersServing = (requestIds: string[]) =>
  new Set(
    lines.filter((l) => l.msg === "request" && requestIds.includes(String(l.requestId))).map((l) => l.worker),
  );

describe("cluster mode", () => {
  it("runs one worker per configured CPU, each logging its number", () => {
    const listening = lines.filter((l) => l.msg === "listening");
    expect(listening.map((l) => l.worker).sort()).toEqual([1, 2]);
    expect(new Set(listening.map((l) => l.url)).size).toBe(1);
  });

  it("a status change shows within moments in every worker's counts, and its writer reads it back from any worker", async () => {
    const { status: before } = await query<{ status: string }>("orders.byKey", { orderKey: KEY });
    const next = before === "F" ? "O" : "F";
    const counts = async () => {
      const ids = Array.from({ length: 6 }, (_, i) => `count-${next}-${Date.now()}-${i}`);
      const values = [];
      for (const id of ids)
        values.push(
          (await query<{ totalOrders: number }>("orders.count", { status: next }, { "x-request-id": id }))
            .totalOrders,
        );
      return { values, ids };
    };
    const first = await counts();
    expect(new Set(first.values).size).toBe(1);

    await mutate(next, "editor@example.com");
    // The bus reaches the other worker through the primary: within moments, long before the rollup's own
    // check (a minute here) could have noticed.
    let after = await counts();
    const deadline = Date.now() + 3000;
    while (after.values.some((v) => v !== first.values[0]! + 1) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      after = await counts();
    }
    expect(after.values).toEqual(after.values.map(() => first.values[0]! + 1));
    await new Promise((r) => setTimeout(r, 200));
    expect(workersServing(after.ids)).toEqual(new Set([1, 2]));

    // The editor reads from the primary on every worker; an analyst still gets the lagging secondary.
    const ids = Array.from({ length: 6 }, (_, i) => `ryw-${Date.now()}-${i}`);
    for (const id of ids) {
      const order = await query<{ status: string; comment: string }>(
        "orders.byKey",
        { orderKey: KEY },
        {
          "x-forwarded-email": "editor@example.com",
          "x-request-id": id,
        },
      );
      expect(order.status).toBe(next);
      expect(order.comment).not.toBe("served by the replica");
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(workersServing(ids)).toEqual(new Set([1, 2]));
    const analyst = await query<{ comment: string }>(
      "orders.byKey",
      { orderKey: KEY },
      { "x-forwarded-email": "analyst@example.com" },
    );
    expect(analyst.comment).toBe("served by the replica");
  });

  it("holds a caller's write limit across workers: 6 a minute in all, not 6 per worker", async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `limit-${Date.now()}-${i}`);
    const statuses: number[] = [];
    for (const id of ids) {
      const res = await new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
        const req = http.request(
          `${baseUrl}/api/trpc/orders.updateStatus`,
          {
            method: "POST",
            agent: false,
            headers: {
              "content-type": "application/json",
              "x-forwarded-email": "limited@example.com",
              "x-request-id": id,
            },
          },
          (r) => {
            r.resume();
            r.on("end", () => resolve({ status: r.statusCode ?? 0, retryAfter: r.headers["retry-after"] }));
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ orderKey: KEY, status: "O" }));
      });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.retryAfter)).toBeGreaterThan(0);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    expect(statuses.filter((s) => s === 429)).toHaveLength(6);
    await new Promise((r) => setTimeout(r, 200));
    expect(workersServing(ids)).toEqual(new Set([1, 2]));
  });

  it("stops every worker and exits 0 within 15 s of SIGTERM", async () => {
    const started = performance.now();
    exited = new Promise((resolve) =>
      server.once("exit", (code) => resolve({ code, ms: performance.now() - started })),
    );
    server.kill("SIGTERM");
    const { code, ms } = await exited;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(15_000);
    expect(
      lines
        .filter((l) => l.msg === "stopped")
        .map((l) => l.worker)
        .sort(),
    ).toEqual([1, 2]);
  }, 20_000);
});
