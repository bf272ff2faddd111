import { type LocalPostgres, startLocalPostgres, startStandby, withClient } from "@lakebase-orders/pg-local";
import { afterAll, beforeAll, expect, it } from "vitest";
import { walPosition } from "./change-log.ts";
import { parseLsn } from "./replica-position.ts";

// Issue 25, read-your-writes over a lagging secondary: a writer reads from the primary until the secondary has
// replayed past the position the app took for their change. With commits that do not wait for their WAL
// (`synchronous_commit = off`), the primary's *write* position (pg_current_wal_lsn) trails the commit record
// until the WAL writer's next round: a standby that replayed up to it had the change's rows but not its
// commit, and the writer was sent there (across-containers.test.ts missed a writer's own change 1 run in 10-30).
// Here the WAL writer waits 3 s between rounds, so the commit stays unwritten while the position is taken.
let primary: LocalPostgres;
let standby: Awaited<ReturnType<typeof startStandby>>;

beforeAll(async () => {
  // A fast cluster commits asynchronously (synchronous_commit = off), as a session or server may choose to.
  primary = await startLocalPostgres({ fast: true, replication: true });
  await withClient(primary.url(), async (c) => {
    await c.query("ALTER SYSTEM SET wal_writer_delay = '3s'");
    await c.query("SELECT pg_reload_conf()");
    await c.query("CREATE TABLE written (id int)");
  });
  standby = await startStandby({ primary, fast: true });
}, 60_000);

afterAll(async () => {
  await standby?.stop();
  await primary?.stop();
});

const replayed = () =>
  withClient(standby.url(), async (c) =>
    parseLsn((await c.query<{ lsn: string }>("SELECT pg_last_wal_replay_lsn()::text AS lsn")).rows[0]!.lsn),
  );

async function untilReplayed(position: bigint): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await replayed()) < position) {
    if (Date.now() > deadline) throw new Error("the standby did not reach the position within 20 s");
    await new Promise((r) => setTimeout(r, 25));
  }
}

it("is past the writer's commit when commits do not wait for their WAL: a standby there has the change", async () => {
  await withClient(primary.url(), async (c) => {
    await c.query("SET synchronous_commit = off");
    // Everything before the change is on the standby already.
    await untilReplayed(
      parseLsn((await c.query<{ l: string }>("SELECT pg_current_wal_lsn()::text AS l")).rows[0]!.l),
    );
    await c.query("INSERT INTO written VALUES (1)");
    const position = parseLsn(await walPosition(c));
    // What recent-writers.ts does: the writer stays on the primary until the standby has replayed this far.
    await untilReplayed(position);
  });
  const { rows } = await withClient(standby.url(), (c) =>
    c.query<{ n: number }>("SELECT count(*)::int AS n FROM written"),
  );
  expect(rows[0]!.n).toBe(1);
}, 40_000);
