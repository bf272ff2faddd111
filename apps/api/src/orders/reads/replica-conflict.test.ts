import { silentLogger } from "@lakebase-orders/log";
import { type LocalPostgres, startLocalPostgres, startStandby, withClient } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createReadPath } from "./read-path.ts";

// Issue 25: the soak's one 500 ("canceling statement due to conflict with recovery", 40001). A hot standby
// cancels a read that holds what replaying the primary's WAL needs (a refresh's ACCESS EXCLUSIVE lock, a
// vacuum's cleanup) once max_standby_streaming_delay has passed. Nothing is wrong with the read: the primary
// answers it. Here the standby cancels at once (delay 0) and the primary's lock ends 300 ms after it is taken.
let primary: LocalPostgres;
let standby: Awaited<ReturnType<typeof startStandby>>;
let primaryPool: pg.Pool;
let replicaPool: pg.Pool;

beforeAll(async () => {
  primary = await startLocalPostgres({ fast: true, replication: true });
  await withClient(primary.url(), (c) =>
    c.query("CREATE TABLE moving (id int); INSERT INTO moving VALUES (1)"),
  );
  standby = await startStandby({ primary, fast: true });
  await withClient(standby.url(), async (c) => {
    await c.query("ALTER SYSTEM SET max_standby_streaming_delay = 0");
    await c.query("SELECT pg_reload_conf()");
  });
  primaryPool = new pg.Pool({ connectionString: primary.url(), max: 2 });
  replicaPool = new pg.Pool({ connectionString: standby.url(), max: 2 });
  for (const p of [primaryPool, replicaPool]) p.on("error", () => undefined);
  // The table is on the standby before the read starts there.
  for (;;) {
    const { rows } = await replicaPool.query("SELECT to_regclass('moving') IS NOT NULL AS here");
    if (rows[0].here) break;
    await new Promise((r) => setTimeout(r, 25));
  }
}, 60_000);

afterAll(async () => {
  await primaryPool?.end();
  await replicaPool?.end();
  await standby?.stop();
  await primary?.stop();
});

it("a read the standby cancels to replay a lock is answered from the primary", async () => {
  const reads = createReadPath({
    primary: primaryPool,
    replica: replicaPool,
    logger: silentLogger,
    replicaRetryAfterMs: 10_000,
    tableName: "moving",
  });
  // A read on the standby that is still running when the primary's lock is replayed there.
  const read = reads.rows<{ n: number }>({
    name: undefined,
    text: "SELECT count(*)::int AS n, pg_sleep(3) FROM moving",
    values: [],
  });
  await new Promise((r) => setTimeout(r, 300));
  await withClient(primary.url(), async (c) => {
    await c.query("BEGIN");
    await c.query("LOCK TABLE moving IN ACCESS EXCLUSIVE MODE");
    // The lock's record reaches the standby at commit time at the latest; hold it briefly, then release.
    await c.query("SELECT pg_switch_wal()");
    await new Promise((r) => setTimeout(r, 300));
    await c.query("COMMIT");
  });
  const rows = await read;
  expect(rows[0]?.n).toBe(1);
}, 30_000);
