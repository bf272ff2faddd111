import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type Env, loadConfig } from "@lakebase-orders/config";
import { createDb } from "@lakebase-orders/db";
import { until } from "@lakebase-orders/lakebase-local/testing";
import { createLogger } from "@lakebase-orders/log";
import { freePort, type LocalPostgres, startLocalPostgres } from "@lakebase-orders/pg-local";
import { createOrderIndexes, loadOrders } from "@lakebase-orders/tpch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "./server.ts";

// A private cluster: these tests stop and restart PostgreSQL, which the shared one must never see.
let dataDir: string;
let port: number;
let postgres: LocalPostgres;
let server: RunningServer | undefined;
const logs: string[] = [];
// A distinctive password, so "not in the logs" means something (pg-local's own is the word "postgres").
const password = `pw-${randomBytes(9).toString("hex")}`;
const appUrl = () => `postgresql://api_app:${password}@127.0.0.1:${port}/postgres`;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "api-server-test-"));
  port = await freePort();
  postgres = await startLocalPostgres({ dataDir, port, fast: true });
  const db = createDb({ connectionString: postgres.url() });
  const client = await db.pool.connect();
  try {
    await client.query(`CREATE ROLE api_app LOGIN SUPERUSER PASSWORD '${password}'`);
    await loadOrders(client, { rows: 2000, seed: 3 });
    await createOrderIndexes(client);
  } finally {
    client.release();
    await db.disconnect();
  }
}, 120_000);

afterAll(async () => {
  await server?.close();
  await postgres?.stop();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<RunningServer> {
  const running = await startServer(loadConfig({ LAKEBASE_PG_URL: appUrl(), PORT: "0" }), {
    host: "127.0.0.1",
    logger: createLogger({ write: (line) => logs.push(line) }),
    readyTimeoutMs: 1500,
  });
  // It listens first and migrates in the background.
  await until(
    () => fetch(`${running.url}/api/ready`),
    (r) => r.status === 200,
  );
  return running;
}

/** As the entry point does it: the environment through the one configuration loader. */
const startFromEnv = async (env: Env) => startServer(loadConfig(env));

describe("startServer", () => {
  it("refuses a bad environment with the variable's name", async () => {
    await expect(startFromEnv({})).rejects.toThrow(/LAKEBASE_PG_URL/);
    await expect(startFromEnv({ LAKEBASE_PG_URL: postgres.url(), PORT: "http" })).rejects.toThrow(/PORT/);
    await expect(startFromEnv({ LAKEBASE_PG_URL: "mysql://x" })).rejects.toThrow(/LAKEBASE_PG_URL/);
  });

  it("is ready while the database answers, 503 while it is down, ready again after a restart", async () => {
    server = await start();
    const health = await fetch(`${server.url}/api/health`);
    expect(await health.json()).toEqual({ status: "ok" });
    expect((await fetch(`${server.url}/api/ready`)).status).toBe(200);

    await postgres.stop();
    const down = await fetch(`${server.url}/api/ready`);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { status: string; reason: string };
    expect(body.status).toBe("unavailable");
    expect(body.reason).not.toContain(password);
    // Liveness does not depend on the database: restarting the app would not help.
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    const order = await fetch(`${server.url}/api/trpc/orders.count`);
    expect(order.status).toBeGreaterThanOrEqual(500);
    expect(order.status).not.toBe(500);

    postgres = await startLocalPostgres({ dataDir, port, fast: true });
    expect((await fetch(`${server.url}/api/ready`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/trpc/orders.count`)).status).toBe(200);
  }, 60_000);

  it("finishes an in-flight request on close, refuses new ones, and closes the pool", async () => {
    server ??= await start();
    const url = server.url;
    const blocker = createDb({ connectionString: postgres.url() });
    const lock = await blocker.pool.connect();
    try {
      await lock.query("BEGIN");
      await lock.query("LOCK TABLE public.orders_synced IN ACCESS EXCLUSIVE MODE");
      const inFlight = fetch(`${url}/api/trpc/orders.byKey?input=${encodeURIComponent('{"orderKey":1}')}`);
      // Wait until the request's query is really blocked on the lock inside PostgreSQL.
      for (let i = 0; i < 100; i++) {
        const { rows } = await blocker.pool.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = 'postgres'",
        );
        if (rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const closed = server.close();
      server = undefined;
      await new Promise((r) => setTimeout(r, 100));
      await expect(fetch(`${url}/api/health`)).rejects.toThrow();
      await lock.query("COMMIT");
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(((await res.json()) as { result: { data: { orderKey: number } } }).result.data.orderKey).toBe(1);
      await closed;
    } finally {
      lock.release();
      await blocker.disconnect();
    }
    const { rows } = await createDbQuery(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'postgres' AND pid <> pg_backend_pid()",
    );
    expect(rows[0]?.n).toBe(0);
    expect(logs.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
  }, 60_000);

  it("never logs the database password", () => {
    expect(logs.length).toBeGreaterThan(5);
    expect(logs.join("\n")).not.toContain(password);
    expect(logs.join("\n")).toContain("api_app");
    for (const line of logs) expect(() => JSON.parse(line)).not.toThrow();
  });
});

async function createDbQuery(text: string) {
  const db = createDb({ connectionString: postgres.url() });
  try {
    return await db.pool.query<{ n: number }>(text);
  } finally {
    await db.disconnect();
  }
}
