import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { type PgProxy, startPgProxy } from "@lakebase-orders/api/testing";
import { createDb } from "@lakebase-orders/db";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import { loadOrders } from "@lakebase-orders/tpch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Issue 25, "Ready is not ready": each worker of a cluster answered /api/ready from its own state, so the
// first 200 came from whichever worker reached the database first while its sibling still answered orders
// calls with 503. Here worker 2's connections are held back 5 s by a proxy (longer than the 3 s a request
// waits for a starting worker's first attempt), so the two become ready seconds apart, every time.

const HOLD_BACK_MS = 5000;
let database: TestDatabase;
let proxy: PgProxy;
let server: ChildProcess;
let baseUrl: string;
let keys: number[];
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  database = await createTestDatabase("api_cluster_ready");
  const d = createDb({ connectionString: database.url, max: 1 });
  const c = await d.pool.connect();
  try {
    await loadOrders(c, { rows: 2000, seed: 7 });
    keys = (
      await c.query<{ k: string }>("SELECT o_orderkey::text AS k FROM orders_synced LIMIT 50")
    ).rows.map((r) => Number(r.k));
  } finally {
    c.release();
    await d.disconnect();
  }
  const target = new URL(database.url);
  proxy = await startPgProxy(
    { host: target.hostname, port: Number(target.port) },
    { delayMs: (startup) => (startup.application_name?.endsWith("worker 2") ? HOLD_BACK_MS : 0) },
  );
  server = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "../main.ts")], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      LAKEBASE_PG_URL: proxy.url(database.url),
      HOST: "127.0.0.1",
      PORT: "0",
      CLUSTER_WORKERS: "2",
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
  while (lines.filter((l) => l.msg === "listening").length < 2) {
    if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode})`);
    if (Date.now() > deadline) throw new Error("two workers did not listen within 60 s");
    await new Promise((r) => setTimeout(r, 20));
  }
  baseUrl = String(lines.find((l) => l.msg === "listening")?.url);
}, 120_000);

afterAll(async () => {
  if (server && server.exitCode === null) server.kill("SIGKILL");
  await proxy?.close();
  await database?.drop();
});

/** One request on a new connection: the cluster hands connections to its workers in turn. */
function get(p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${baseUrl}${p}`, { agent: false }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (c: string) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

describe("readiness of a cluster", () => {
  it("says ready only once every worker can serve: 200 requests right after the first 200 all succeed", async () => {
    const answers: { status: number; body: string }[] = [];
    const deadline = Date.now() + 60_000;
    for (;;) {
      const answer = await get("/api/ready");
      answers.push(answer);
      if (answer.status === 200) break;
      if (Date.now() > deadline) throw new Error(`not ready within 60 s: ${answer.body}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        i % 2 === 0
          ? get(
              `/api/trpc/orders.byKey?input=${encodeURIComponent(JSON.stringify({ orderKey: keys[i % 50] }))}`,
            )
          : get(`/api/v1/orders/${keys[i % 50]}`),
      ),
    );
    expect(statuses.filter((s) => s.status !== 200).map((s) => s.body.slice(0, 200))).toEqual([]);
    // While worker 2 was held back, worker 1 (ready by then) said so on its behalf.
    const ready = lines.filter((l) => l.msg === "database ready");
    expect(ready.map((l) => l.worker).sort()).toEqual([1, 2]);
    expect(answers.some((a) => a.status === 503 && a.body.includes("worker 2 of this server"))).toBe(true);
  });
});
