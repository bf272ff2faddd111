import fs from "node:fs/promises";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalPostgres, stopAllLocalPostgres } from "../local-postgres.ts";
import { takeBaseBackup } from "./backup-catalog.ts";
import { createBranch } from "./branch.ts";
import { isLsn } from "./lsn.ts";

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

async function values(url: string): Promise<number[]> {
  return (await rows(url, "select v from t order by v")).map((r) => r.v as number);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("createBranch", () => {
  it("at head: the parent's data as of now, and writes never cross in either direction", async () => {
    const parent = await startLocalPostgres({ fast: true, replication: true });
    await rows(parent.url(), "create table t (v int); insert into t values (1), (2)");
    const branch = await createBranch({ parent, fast: true });
    expect(await values(branch.url())).toEqual([1, 2]);
    expect(isLsn(branch.forkLsn)).toBe(true);
    expect(branch.parent).toBe(parent);

    await rows(branch.url(), "insert into t values (10)");
    await rows(parent.url(), "insert into t values (20)");
    expect(await values(branch.url())).toEqual([1, 2, 10]);
    expect(await values(parent.url())).toEqual([1, 2, 20]);
    // A branch is a primary of its own: it can be branched in turn, once its parent is gone.
    await parent.stop();
    const grandchild = await createBranch({ parent: branch, fast: true });
    expect(await values(grandchild.url())).toEqual([1, 2, 10]);
  });

  it("in the past, at a time: every transaction committed by then and none after", async () => {
    const parent = await startLocalPostgres({ fast: true, replication: true });
    await rows(parent.url(), "create table t (v int); insert into t values (1)");
    await takeBaseBackup(parent);
    await rows(parent.url(), "insert into t values (2)");
    await pause(20);
    const at = new Date();
    await pause(20);
    await rows(parent.url(), "insert into t values (3)");

    const branch = await createBranch({ parent, at, fast: true });
    expect(await values(branch.url())).toEqual([1, 2]);
    await rows(branch.url(), "insert into t values (30)");
    expect(await values(parent.url())).toEqual([1, 2, 3]);
    expect(await values(branch.url())).toEqual([1, 2, 30]);
  });

  it("in the past, at an LSN, after a restart of the parent (the catalogue and archive are on disk)", async () => {
    const parent = await startLocalPostgres({ fast: true, replication: true });
    await rows(parent.url(), "create table t (v int)");
    await takeBaseBackup(parent);
    await rows(parent.url(), "insert into t values (1)");
    const [{ lsn }] = (await rows(parent.url(), "select pg_current_wal_insert_lsn()::text as lsn")) as [
      { lsn: string },
    ];
    await rows(parent.url(), "insert into t values (2)");
    await parent.suspend();
    await parent.resume();

    const branch = await createBranch({ parent, at: { lsn }, fast: true });
    expect(await values(branch.url())).toEqual([1]);
  });

  it("says why it cannot branch: no replication, no backup, before the window, in the future", async () => {
    const plain = await startLocalPostgres({ fast: true });
    await expect(createBranch({ parent: plain })).rejects.toThrow(/not started with `replication`/);
    await plain.stop();

    const parent = await startLocalPostgres({ fast: true, replication: true });
    const before = new Date(Date.now() - 1_000);
    await expect(createBranch({ parent, at: before })).rejects.toThrow(/has no stored base backup yet/);
    const backup = await takeBaseBackup(parent);
    await expect(createBranch({ parent, at: before })).rejects.toThrow(
      `before the history window of the cluster on port ${parent.port}, which starts at ${backup.finishedAt.toISOString()}`,
    );
    await expect(createBranch({ parent, at: new Date(Date.now() + 60_000) })).rejects.toThrow(
      /in the future/,
    );
    await expect(createBranch({ parent, at: { lsn: "FFFF/0" } })).rejects.toThrow(/beyond the parent's WAL/);
    await expect(createBranch({ parent, at: { lsn: "yesterday" } })).rejects.toThrow(/is not an LSN/);
    await parent.stop();
  });

  it("stop() removes its data directory and replication folder; stopAllLocalPostgres covers every kind", async () => {
    const parent = await startLocalPostgres({ fast: true, replication: true });
    const branch = await createBranch({ parent, fast: true });
    const dirs = [parent.dataDir, parent.replication!.dir, branch.dataDir, branch.replication!.dir];
    for (const dir of dirs) await fs.access(dir);
    await stopAllLocalPostgres();
    expect(branch.state).toBe("stopped");
    for (const dir of dirs) await expect(fs.access(dir)).rejects.toThrow();
  });
});
