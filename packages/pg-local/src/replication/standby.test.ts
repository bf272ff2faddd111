import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalPostgres, stopAllLocalPostgres } from "../local-postgres.ts";
import { compareLsn } from "./lsn.ts";
import { startStandby } from "./standby.ts";

afterAll(stopAllLocalPostgres);

async function rows(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function has(url: string, v: number): Promise<boolean> {
  return (await rows(url, `select 1 from t where v = ${v}`)).length > 0;
}

/** Polls until `check` holds; the time it first held, or a failure after `timeoutMs`. */
async function when(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now();
}

describe("startStandby", () => {
  it("refuses a primary started without replication", async () => {
    const plain = await startLocalPostgres({ fast: true });
    await expect(startStandby({ primary: plain })).rejects.toThrow(/not started with `replication`/);
    await plain.stop();
  });

  it("streams an online copy: consistent under concurrent writes, read-only, catching up to zero lag", async () => {
    const primary = await startLocalPostgres({ fast: true, replication: true });
    await rows(primary.url(), "create table t (v int primary key, pad text)");
    // A writer commits row after row while the base backup is taken and the standby starts.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      const client = new pg.Client({ connectionString: primary.url() });
      await client.connect();
      while (writing) await client.query("insert into t values ($1, repeat('x', 500))", [++written]);
      await client.end();
    })();
    const standby = await startStandby({ primary, fast: true });
    writing = false;
    await writer;

    await when(async () => (await standby.lag()).bytes === 0);
    const [onPrimary] = await rows(primary.url(), "select count(*)::int as n, sum(v)::bigint as s from t");
    const [onStandby] = await rows(standby.url(), "select count(*)::int as n, sum(v)::bigint as s from t");
    expect(onStandby).toEqual(onPrimary);
    expect(onPrimary!.n).toBe(written);
    expect((await standby.lag()).seconds).toBe(0);
    await expect(rows(standby.url(), "insert into t values (-1, '')")).rejects.toMatchObject({
      code: "25006",
    });
    const [replica] = await rows(
      primary.url(),
      "select application_name, state from pg_stat_replication where usename = 'pglocal_replicator'",
    );
    expect(replica).toEqual({ application_name: `pg_local_standby_${standby.port}`, state: "streaming" });
  });

  it("holds each transaction back for its apply delay: absent at first, present only once the delay has passed", async () => {
    const delay = 3_000;
    const primary = await startLocalPostgres({ fast: true, replication: true });
    await rows(primary.url(), "create table t (v int)");
    const standby = await startStandby({ primary, applyDelayMs: delay, fast: true });
    expect(standby.applyDelayMs).toBe(delay);

    // The commit's own timestamp (what the delay counts from) is after this instant.
    const before = Date.now();
    await rows(primary.url(), "insert into t values (1)");
    const seenAtOnce = await has(standby.url(), 1);
    const lagAtOnce = await standby.lag();
    if (Date.now() < before + delay) {
      expect(seenAtOnce).toBe(false);
      expect(lagAtOnce.bytes).toBeGreaterThan(0);
      expect(compareLsn(lagAtOnce.replayLsn, lagAtOnce.primaryLsn!)).toBeLessThan(0);
    }
    const appeared = await when(() => has(standby.url(), 1));
    expect(appeared - before).toBeGreaterThanOrEqual(delay);
    await when(async () => (await standby.lag()).bytes === 0);
  });

  it("changes the delay at run time: a long one holds a write back, a shorter one releases it at once", async () => {
    const primary = await startLocalPostgres({ fast: true, replication: true });
    await rows(primary.url(), "create table t (v int)");
    const standby = await startStandby({ primary, fast: true });
    await rows(primary.url(), "insert into t values (1)");
    await when(() => has(standby.url(), 1));

    await standby.setApplyDelay(600_000);
    expect(standby.applyDelayMs).toBe(600_000);
    await rows(primary.url(), "insert into t values (2)");
    // Received, not applied: ten minutes is longer than this test.
    await when(async () => {
      const lag = await standby.lag();
      return lag.receiveLsn !== null && compareLsn(lag.receiveLsn, lag.primaryLsn!) >= 0;
    });
    expect(await has(standby.url(), 2)).toBe(false);
    const held = await standby.lag();
    expect(held.bytes).toBeGreaterThan(0);
    expect(held.seconds).toBeGreaterThan(0);

    await standby.setApplyDelay(0);
    await when(() => has(standby.url(), 2), 20_000);
    await expect(standby.setApplyDelay(-1)).rejects.toThrow(/whole number of milliseconds/);
  });

  it("fails over: promote() applies what it received despite the delay and takes writes the old primary never sees", async () => {
    const primary = await startLocalPostgres({ fast: true, replication: true });
    await rows(primary.url(), "create table t (v int)");
    const standby = await startStandby({ primary, applyDelayMs: 600_000, fast: true });
    await rows(primary.url(), "insert into t values (1)");
    await when(async () => {
      const lag = await standby.lag();
      return lag.receiveLsn !== null && compareLsn(lag.receiveLsn, lag.primaryLsn!) >= 0;
    });
    expect(await has(standby.url(), 1)).toBe(false);

    await primary.suspend(); // the primary is lost
    await standby.promote();
    expect(standby.promoted).toBe(true);
    expect(await has(standby.url(), 1)).toBe(true);
    await rows(standby.url(), "insert into t values (2)");
    expect(await has(standby.url(), 2)).toBe(true);
    await expect(standby.lag()).rejects.toThrow(/was promoted/);

    await primary.resume();
    expect(await has(primary.url(), 2)).toBe(false);
    // The new primary is replication-ready itself: it can have a standby of its own.
    const next = await startStandby({ primary: standby, fast: true });
    expect(await has(next.url(), 2)).toBe(true);
  });

  it("survives its own suspension: it resumes streaming where it stopped", async () => {
    const primary = await startLocalPostgres({ fast: true, replication: true });
    await rows(primary.url(), "create table t (v int)");
    const standby = await startStandby({ primary, fast: true });
    await standby.suspend();
    await rows(primary.url(), "insert into t values (1)");
    await standby.resume();
    await when(() => has(standby.url(), 1));
  });
});
