import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { migrate } from "@lakebase-orders/api/testing";
import { loadConfig } from "@lakebase-orders/config";
import { createDb, createDbFromConfig, type Db } from "@lakebase-orders/db";
import { createLogger } from "@lakebase-orders/log";
import {
  createTestDatabase,
  freePort,
  type LocalPostgres,
  startLocalPostgres,
  type TestDatabase,
} from "@lakebase-orders/pg-local";
import { loadOrders } from "@lakebase-orders/tpch";
import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../http/app.ts";
import type { AppRouter } from "../routers/app-router.ts";
import { buildServices } from "../start/services.ts";

// Two real clusters: the shared test cluster is the primary, a private one plays the readable secondary.
// They are not replicated, which is what makes routing visible: a row edited only on the "replica" shows
// who answered, and a write to the primary stays invisible there, like a replica that has not caught up.
let primary: TestDatabase;
let replicaDir: string;
let replica: LocalPostgres;
let db: Db;
let app: App;
const logs: string[] = [];
// Enough that an unread export's COPY is still running (more than the socket buffers hold).
const ROWS = 5000;
const KEY = 1;

async function seed(url: string): Promise<void> {
  const d = createDb({ connectionString: url, max: 1 });
  try {
    const client = await d.pool.connect();
    try {
      await loadOrders(client, { rows: ROWS, seed: 42 });
    } finally {
      client.release();
    }
    await migrate(d);
  } finally {
    await d.disconnect();
  }
}

beforeAll(async () => {
  primary = await createTestDatabase("api_read_replica");
  replicaDir = await fs.mkdtemp(path.join(os.tmpdir(), "api-replica-"));
  replica = await startLocalPostgres({ dataDir: replicaDir, port: await freePort(), fast: true });
  await Promise.all([seed(primary.url), seed(replica.url())]);
  const marker = createDb({ connectionString: replica.url(), max: 1 });
  await marker.pool.query(
    "UPDATE public.orders_synced SET o_comment = 'served by the replica' WHERE o_orderkey = $1",
    [KEY],
  );
  await marker.disconnect();

  // As the server builds it: the configuration names both, the pools come from it.
  const config = loadConfig({
    LAKEBASE_PG_URL: primary.url,
    LAKEBASE_PG_READ_URL: replica.url(),
    // The callers below name themselves in X-Forwarded-Email, as behind a proxy.
    TRUST_FORWARDED_HEADERS: "true",
  });
  const logger = createLogger({ write: (l) => logs.push(l) });
  db = await createDbFromConfig(config, { logger, pool: { connectionTimeoutMillis: 2000 } });
  app = createApp(buildServices(config, db, { logger }));
}, 120_000);

afterAll(async () => {
  await db?.disconnect();
  await primary?.drop();
  await replica?.stop().catch(() => undefined);
  if (replicaDir) await fs.rm(replicaDir, { recursive: true, force: true });
});

function clientAs(email: string): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: "http://api.test/api/trpc",
        headers: { "X-Forwarded-Email": email },
        fetch: async (input, init) =>
          app.request(
            typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
            init as RequestInit,
          ),
      }),
    ],
  });
}

describe("orders reads with a readable secondary", () => {
  it("go to the secondary, while a caller who has just written reads from the primary", async () => {
    const analyst = clientAs("analyst@example.com");
    const editor = clientAs("editor@example.com");
    expect((await analyst.orders.byKey.query({ orderKey: KEY })).comment).toBe("served by the replica");
    const listed = await analyst.orders.list.query({ pageSize: 5, includeCount: true });
    expect(listed.orders[0]?.comment).toBe("served by the replica");
    expect(listed.pagination.totalCount).toBe(ROWS);

    const before = (await editor.orders.byKey.query({ orderKey: KEY })).status;
    const next = before === "F" ? "O" : "F";
    await editor.orders.updateStatus.mutate({ orderKey: KEY, status: next });

    // The writer sees its change at once (primary); the replica has not got it.
    const mine = await editor.orders.byKey.query({ orderKey: KEY });
    expect(mine.status).toBe(next);
    expect(mine.comment).not.toBe("served by the replica");
    expect((await analyst.orders.byKey.query({ orderKey: KEY })).status).toBe(before);
    // The status history is the app's own table, read where it is written, by everyone.
    expect((await editor.orders.history.query({ orderKey: KEY })).changes).toHaveLength(1);
    expect((await analyst.orders.history.query({ orderKey: KEY })).changes).toHaveLength(1);

    // The export takes the same read path: the analyst's rows from the secondary, the writer's own change
    // from the primary.
    const exported = async (email: string) => {
      const res = await app.request("/api/export/orders.csv?columns=orderKey,status,comment&format=api", {
        headers: { "X-Forwarded-Email": email },
      });
      expect(res.status).toBe(200);
      return (await res.text()).split("\n").find((line) => line.startsWith(`${KEY},`));
    };
    expect(await exported("analyst@example.com")).toBe(`${KEY},${before},served by the replica`);
    const written = await exported("editor@example.com");
    expect(written?.startsWith(`${KEY},${next},`)).toBe(true);
    expect(written).not.toContain("served by the replica");
  });

  it("fall back to the primary when the secondary is down", async () => {
    await replica.stop();
    const analyst = clientAs("reader@example.com");
    const order = await analyst.orders.byKey.query({ orderKey: KEY });
    expect(order.comment).not.toBe("served by the replica");
    expect((await analyst.orders.count.query({ priority: "1-URGENT" })).totalOrders).toBeGreaterThan(0);
    expect(logs.some((l) => l.includes("db_read_replica_unreachable"))).toBe(true);
  });

  it("export on the primary when the secondary is down, each still holding its export slot", async () => {
    const exportAs = (email: string) =>
      app.request("/api/export/orders.csv?sort=totalPrice", { headers: { "X-Forwarded-Email": email } });
    // Two downloads held open (read one chunk, then left): the process's two slots.
    const held = [];
    for (const email of ["one@example.com", "two@example.com"]) {
      const res = await exportAs(email);
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      await reader.read();
      held.push(reader);
    }
    // Each fallen-back copy holds a slot: a third runs beside them only after one ends.
    const third = await exportAs("three@example.com");
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("5");
    for (const reader of held) await reader.cancel();
    // The slots come back with the cancelled downloads, and a whole export from the primary reads every row.
    await expect.poll(async () => (await exportAs("three@example.com")).status).toBe(200);
    const res = await exportAs("four@example.com");
    expect((await res.text()).trim().split("\n")).toHaveLength(ROWS + 1);
  });
});
