import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MaintenanceAborted, MaintenanceYielded, withMaintenanceLock } from "./maintenance.ts";

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase("api_maintenance");
  // As the app's pools: a client-side query timeout far shorter than a build on a large table.
  pool = new pg.Pool({ connectionString: database.url, max: 2, query_timeout: 300, statement_timeout: 300 });
  await pool.query("CREATE TABLE t (k int PRIMARY KEY)");
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe("withMaintenanceLock", () => {
  it("runs statements longer than the pool's timeouts", async () => {
    const slept = await withMaintenanceLock(pool, "scope", 1, async (sql) => {
      await sql.query("SELECT pg_sleep(0.8)");
      return "done";
    });
    expect(slept).toBe("done");
    // The pool's own limits are back for the next user of that connection.
    await expect(pool.query("SELECT pg_sleep(0.8)")).rejects.toThrow();
  });

  it("lets one process at a time in", async () => {
    let inside: (() => void) | undefined;
    const first = withMaintenanceLock(
      pool,
      "scope",
      2,
      () => new Promise<string>((r) => (inside = () => r("first"))),
    );
    while (!inside) await new Promise((r) => setTimeout(r, 20));
    expect(await withMaintenanceLock(pool, "scope", 2, async () => "second")).toBeUndefined();
    inside();
    expect(await first).toBe("first");
    expect(await withMaintenanceLock(pool, "scope", 2, async () => "third")).toBe("third");
  });

  it("discards a connection that failed mid-transaction: no open transaction, no lock left behind", async () => {
    await expect(
      withMaintenanceLock(pool, "scope", 3, async (sql) => {
        await sql.query("BEGIN");
        await sql.query("INSERT INTO t VALUES (1)");
        throw new Error("interrupted");
      }),
    ).rejects.toThrow("interrupted");
    // The discarded connection's backend ends as soon as the server sees it go.
    const open = async () =>
      Number(
        (
          await pool.query<{ n: string }>(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
          )
        ).rows[0]?.n,
      );
    for (let i = 0; i < 50 && (await open()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await open()).toBe(0);
    expect((await pool.query("SELECT * FROM t")).rowCount).toBe(0);
    expect(await withMaintenanceLock(pool, "scope", 3, async () => "free")).toBe("free");
  });

  it("steps aside for a session that waits to lock its table, instead of holding it and everyone behind it", async () => {
    await pool.query("INSERT INTO t VALUES (42) ON CONFLICT DO NOTHING");
    // A long scan of t (ACCESS SHARE), as the rollup's rebuild or a projection build is on the synced table.
    const job = withMaintenanceLock(pool, "scope", 4, (sql) => sql.query("SELECT pg_sleep(30) FROM t"), {
      yieldTo: "t",
    }).then(
      () => "finished",
      (error: unknown) => error,
    );
    const refresh = new pg.Client({ connectionString: database.url });
    await refresh.connect();
    try {
      // A refresh's TRUNCATE (or DDL) needs ACCESS EXCLUSIVE: it gets it within seconds, not after 30.
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      await refresh.query("BEGIN");
      await refresh.query("SET LOCAL lock_timeout = '10s'");
      await refresh.query("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
      expect(Date.now() - started).toBeLessThan(5_000);
      await refresh.query("COMMIT");
    } finally {
      await refresh.end();
    }
    expect(await job).toBeInstanceOf(MaintenanceYielded);
    expect(await withMaintenanceLock(pool, "scope", 4, async () => "free again")).toBe("free again");
    await pool.query("DELETE FROM t");
  });

  it("ends its session when stopped: nothing of the job goes on running on the server", async () => {
    const stop = new AbortController();
    let pid = 0;
    const job = withMaintenanceLock(
      pool,
      "scope",
      5,
      (sql) => {
        pid = sql.pid;
        return sql.query("SELECT pg_sleep(30)");
      },
      { signal: stop.signal },
    );
    while (!pid) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    stop.abort();
    await expect(job).rejects.toBeInstanceOf(MaintenanceAborted);
    const alive = async () =>
      (await pool.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [pid])).rowCount === 1;
    for (let i = 0; i < 50 && (await alive()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await alive()).toBe(false);
    expect(await withMaintenanceLock(pool, "scope", 5, async () => "free again")).toBe("free again");
  });
});
