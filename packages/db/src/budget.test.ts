import { createLogger } from "@lakebase-orders/log";
import { createTestDatabase, type TestDatabase, withClient } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LONG_WORK_BUDGET, retryWhenLocked, withSessionBudget } from "./budget.ts";
import { isBusy, isLockTimeout, isPoolSaturated, isUnreachable, sqlState } from "./connection-errors.ts";
import { createDb } from "./create-db.ts";

// Bounded waits (issue 25): every pool session waits at most `lockTimeoutMillis` for a lock, a full pool is
// backpressure (not an outage), and long work takes its locks only if they come at once.
let database: TestDatabase;
const logs: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase("db_budget");
  await withClient(database.url, (c) =>
    c.query("CREATE TABLE synced (k int PRIMARY KEY); INSERT INTO synced SELECT generate_series(1, 10)"),
  );
});
afterAll(() => database?.drop());

/** Holds ACCESS EXCLUSIVE on the table (as a refresh does) until the returned function is called. */
async function lockTable(): Promise<() => Promise<void>> {
  const holder = new pg.Client({ connectionString: database.url });
  await holder.connect();
  await holder.query("BEGIN; LOCK TABLE synced IN ACCESS EXCLUSIVE MODE");
  return async () => {
    await holder.query("ROLLBACK");
    await holder.end();
  };
}

describe("the lock budget", () => {
  it("ends a read queued behind an ACCESS EXCLUSIVE lock after lockTimeoutMillis, with 55P03, through pg and Prisma", async () => {
    const db = createDb({ connectionString: database.url, max: 2, lockTimeoutMillis: 300 });
    const release = await lockTable();
    try {
      const started = performance.now();
      const error = await db.pool.query("SELECT count(*) FROM synced").catch((e: unknown) => e);
      const waited = performance.now() - started;
      expect(isLockTimeout(error)).toBe(true);
      expect(isBusy(error)).toBe(true);
      expect(isUnreachable(error)).toBe(false);
      expect(waited).toBeLessThan(5_000);
      const viaPrisma = await db.prisma.$queryRaw`SELECT count(*) FROM synced`.catch((e: unknown) => e);
      // Prisma wraps it (P2010 "raw query failed"): the server's code is still what callers see.
      expect(sqlState(viaPrisma)).toBe("55P03");
      expect(isLockTimeout(viaPrisma)).toBe(true);
    } finally {
      await release();
      await db.disconnect();
    }
  });

  it("says a cancelled or timed-out statement (57014) is busy, not unreachable", async () => {
    const db = createDb({ connectionString: database.url, max: 1, statementTimeoutMillis: 50 });
    try {
      const error = await db.prisma.$queryRaw`SELECT pg_sleep(1)`.catch((e: unknown) => e);
      expect(sqlState(error)).toBe("57014");
      expect(isBusy(error)).toBe(true);
      expect(isUnreachable(error)).toBe(false);
    } finally {
      await db.disconnect();
    }
  });

  it("runs long work under its own budget and gives the session back with the pool's", async () => {
    const db = createDb({ connectionString: database.url, max: 1, lockTimeoutMillis: 700 });
    const client = await db.pool.connect();
    try {
      const inside = await withSessionBudget(
        client,
        LONG_WORK_BUDGET,
        async () =>
          (
            await client.query<{ l: string; s: string }>(
              "SELECT current_setting('lock_timeout') AS l, current_setting('statement_timeout') AS s",
            )
          ).rows[0],
      );
      expect(inside).toEqual({ l: "1s", s: "0" });
      const after = (await client.query<{ l: string }>("SELECT current_setting('lock_timeout') AS l"))
        .rows[0];
      expect(after).toEqual({ l: "700ms" });
    } finally {
      client.release();
      await db.disconnect();
    }
  });

  it("retries work that met a lock later, and succeeds once the lock is gone", async () => {
    const db = createDb({ connectionString: database.url, max: 2, lockTimeoutMillis: 100 });
    const release = await lockTable();
    const waits: number[] = [];
    try {
      const done = retryWhenLocked(() => db.pool.query("SELECT count(*)::int AS n FROM synced"), {
        delayMs: 200,
        attempts: 20,
        onLocked: (_attempt, ms) => waits.push(ms),
      });
      await new Promise((r) => setTimeout(r, 600));
      await release();
      expect((await done).rows[0]).toEqual({ n: 10 });
      expect(waits.length).toBeGreaterThan(0);
      // Another failure is not retried.
      await expect(retryWhenLocked(() => db.pool.query("SELECT * FROM missing"))).rejects.toThrow(/missing/);
    } finally {
      await db.disconnect();
    }
  });
});

describe("a saturated pool", () => {
  it("is backpressure: not unreachable, so a replica read never falls back to the primary for it", async () => {
    const db = createDb({
      connection: {
        ...connectionOf(database.url),
        read: connectionOf(database.url),
      },
      max: 1,
      connectionTimeoutMillis: 200,
      logger: createLogger({ write: (l) => logs.push(l) }),
    });
    const busy = await db.readPool!.connect();
    try {
      const error = await db.readPool!.query("SELECT 1").catch((e: unknown) => e);
      expect(isPoolSaturated(error)).toBe(true);
      expect(isUnreachable(error)).toBe(false);
      expect(isBusy(error)).toBe(true);
      // The read client (replica with fallback) gives up with the same error instead of moving to the primary.
      const viaRead = await db.read.$queryRaw`SELECT 1`.catch((e: unknown) => e);
      expect(isPoolSaturated(viaRead)).toBe(true);
      expect(logs.some((l) => l.includes("db_read_replica_unreachable"))).toBe(false);
    } finally {
      busy.release();
      await db.disconnect();
    }
  });
});

function connectionOf(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port),
    database: u.pathname.slice(1),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    sslmode: "disable" as const,
    ssl: false as const,
  };
}
