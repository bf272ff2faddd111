import { createTestDatabase, freePort, type TestDatabase, withClient } from "@lakebase-orders/pg-local";
import { createOrderIndexes, loadOrders } from "@lakebase-orders/tpch";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isConnectionLost, neverConnected } from "./connection-errors.ts";
import { createDb, type Db } from "./create-db.ts";
import { retryRead } from "./read-retry.ts";

let database: TestDatabase;
let db: Db;
let keys: number[] = [];
const APP = "read-retry-test";

beforeAll(async () => {
  database = await createTestDatabase("read_retry");
  await withClient(database.url, async (client) => {
    await loadOrders(client, { rows: 3000, seed: 7 });
    await createOrderIndexes(client);
    const { rows } = await client.query<{ k: string }>("SELECT o_orderkey AS k FROM orders_synced");
    keys = rows.map((r) => Number(r.k));
  });
  db = createDb({ connectionString: database.url, max: 16, applicationName: APP });
}, 60_000);

afterAll(async () => {
  await db?.disconnect();
  await database?.drop();
});

/** What a Lakebase restart or failover does to the app: every one of its connections ends at once. */
async function terminateAll(): Promise<number> {
  return withClient(database.adminUrl, async (c) => {
    const { rows } = await c.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = $1 AND application_name = $2 AND pid <> pg_backend_pid()`,
      [database.name, APP],
    );
    return rows[0]?.n ?? 0;
  });
}

/** The error a read gets when its backend is terminated while the read runs. */
async function errorOfKilledRead(read: () => Promise<unknown>): Promise<unknown> {
  const pending = read().then(
    () => null,
    (error: unknown) => error,
  );
  for (let i = 0; i < 100; i++) {
    const busy = await withClient(database.adminUrl, (c) =>
      c.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()",
        [database.name],
      ),
    );
    if (busy.rowCount) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await terminateAll();
  return pending;
}

describe("isConnectionLost on real errors", () => {
  it("says yes for a terminated backend (Prisma and plain pg) and a refused connect, no for query errors", async () => {
    const prismaError = await errorOfKilledRead(() => db.prisma.$queryRaw`SELECT pg_sleep(5)`);
    expect(prismaError).toBeTruthy();
    expect(isConnectionLost(prismaError)).toBe(true);
    const pgError = await errorOfKilledRead(() => db.pool.query("SELECT pg_sleep(5)"));
    expect(isConnectionLost(pgError)).toBe(true);
    expect(neverConnected(pgError)).toBe(false);

    const syntax = await db.pool.query("SELEC 1").catch((e: unknown) => e);
    expect(isConnectionLost(syntax)).toBe(false);
    const prismaSyntax = await db.prisma.$queryRawUnsafe("SELEC 1").catch((e: unknown) => e);
    expect(isConnectionLost(prismaSyntax)).toBe(false);
    const timeout = await db.pool
      .query({ text: "SET statement_timeout = 50; SELECT pg_sleep(1)" })
      .catch((e: unknown) => e);
    expect((timeout as { code?: string }).code).toBe("57014");
    expect(isConnectionLost(timeout)).toBe(false);

    const closedPort = await freePort();
    const refused = await new pg.Client({ host: "127.0.0.1", port: closedPort, user: "x" })
      .connect()
      .catch((e: unknown) => e);
    expect(isConnectionLost(refused)).toBe(true);
    expect(neverConnected(refused)).toBe(true);
  });
});

describe("retryRead", () => {
  it("loses no read while every connection is terminated again and again under 32 concurrent readers", async () => {
    const stopAt = Date.now() + 3000;
    let ok = 0;
    let retries = 0;
    let terminated = 0;
    const failures: string[] = [];
    const killer = (async () => {
      while (Date.now() < stopAt) {
        await new Promise((r) => setTimeout(r, 150));
        terminated += await terminateAll();
      }
    })();
    await Promise.all(
      Array.from({ length: 32 }, async (_, worker) => {
        for (let i = 0; Date.now() < stopAt; i++) {
          const key = keys[(worker * 97 + i * 13) % keys.length] ?? 1;
          try {
            // Prisma and plain pg, the two ways the app reads.
            const rows =
              i % 2 === 0
                ? await retryRead(
                    () =>
                      db.prisma.$queryRaw<
                        { k: bigint }[]
                      >`SELECT o_orderkey AS k FROM orders_synced WHERE o_orderkey = ${key}`,
                    { onRetry: () => retries++ },
                  )
                : (
                    await retryRead(
                      () =>
                        db.pool.query("SELECT o_orderkey AS k FROM orders_synced WHERE o_orderkey = $1", [
                          key,
                        ]),
                      { onRetry: () => retries++ },
                    )
                  ).rows;
            if (rows.length !== 1) throw new Error(`expected one row for ${key}, got ${rows.length}`);
            ok++;
          } catch (error) {
            failures.push(error instanceof Error ? error.message : String(error));
          }
        }
      }),
    );
    await killer;
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(100);
    // The connections really were cut under the readers, and their reads really were retried.
    expect(terminated).toBeGreaterThan(32);
    expect(retries).toBeGreaterThan(0);
  }, 30_000);

  it("does not retry an error of the query itself", async () => {
    // A pool of its own: the shared one may still hold a connection the tests above terminated, whose
    // failure would (rightly) be retried and muddle the count.
    const fresh = createDb({ connectionString: database.url, max: 1 });
    let calls = 0;
    try {
      await expect(
        retryRead(async () => {
          calls++;
          return fresh.pool.query("SELECT * FROM no_such_table");
        }),
      ).rejects.toMatchObject({ code: "42P01" });
    } finally {
      await fresh.disconnect();
    }
    expect(calls).toBe(1);
  });
});
