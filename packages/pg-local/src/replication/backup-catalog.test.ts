import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalPostgres, stopAllLocalPostgres } from "../local-postgres.ts";
import { listBaseBackups, takeBaseBackup } from "./backup-catalog.ts";
import { createBranch } from "./branch.ts";
import { backupIfDue, historyWindow, pruneHistory } from "./history.ts";
import { compareLsn } from "./lsn.ts";
import { startStandby } from "./standby.ts";

const run = promisify(execFile);
afterAll(stopAllLocalPostgres);

async function query(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe("stored base backups", () => {
  it("are listed oldest first with their WAL span, and survive a restart of a named cluster", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "pg-catalogue-"));
    await fs.chmod(dir, 0o755); // as root, reachable by the postgres OS user: kept in place
    try {
      const dataDir = path.join(dir, "pg");
      const first = await startLocalPostgres({ dataDir, fast: true, replication: true });
      expect(first.replication!.dir).toBe(`${first.dataDir}.replication`);
      const a = await takeBaseBackup(first);
      await query(first.url(), "create table t as select generate_series(1, 1000) as v");
      const b = await takeBaseBackup(first);
      expect(compareLsn(a.startLsn, a.endLsn)).toBeLessThan(0);
      expect(compareLsn(a.endLsn, b.startLsn)).toBeLessThan(0);
      expect(b.bytes).toBeGreaterThan(0);
      expect(b.finishedAt.getTime()).toBeGreaterThanOrEqual(b.startedAt.getTime());
      await fs.access(path.join(b.dir, "backup_label"));
      await first.stop();

      const second = await startLocalPostgres({ dataDir, fast: true, replication: true });
      expect(second.replication!.password).toBe(first.replication!.password);
      expect((await listBaseBackups(second)).map((x) => x.id)).toEqual([a.id, b.id]);
      await second.stop();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it("follow the policy: one at creation, another only once enough WAL has passed", async () => {
    const parent = await startLocalPostgres({ fast: true, replication: true });
    const policy = { maxWalBytes: 4 * 1024 * 1024 };
    const first = await backupIfDue(parent, policy);
    expect(first).toBeDefined();
    expect(await backupIfDue(parent, policy)).toBeUndefined();
    await query(
      parent.url(),
      "create table t as select g as v, repeat('x', 200) as pad from generate_series(1, 30000) g",
    );
    const second = await backupIfDue(parent, policy);
    expect(second).toBeDefined();
    expect(await backupIfDue(parent, { ...policy, maxAgeMs: 0 })).toBeDefined();
    expect(await listBaseBackups(parent)).toHaveLength(3);
    expect(await historyWindow(parent)).toEqual({ from: first!.finishedAt, fromLsn: first!.endLsn });
  });

  it("pruning keeps the window: older backups and the WAL before the oldest kept one go, branching still works", async () => {
    const parent = await startLocalPostgres({ fast: true, replication: true });
    await query(parent.url(), "create table t (v int); insert into t values (1)");
    const old = await takeBaseBackup(parent);
    await query(parent.url(), "insert into t values (2); select pg_switch_wal()");
    const kept = await takeBaseBackup(parent);
    const archived = async () => (await fs.readdir(parent.replication!.archiveDir)).sort();
    const before = await archived();

    const removed = await pruneHistory(parent, { keepMs: 0 });
    expect(removed.backups).toBe(1);
    expect(removed.walFiles).toBeGreaterThan(0);
    expect((await listBaseBackups(parent)).map((b) => b.id)).toEqual([kept.id]);
    await expect(fs.access(old.dir)).rejects.toThrow();
    const after = await archived();
    expect(after.length).toBe(before.length - removed.walFiles);

    await query(parent.url(), "insert into t values (3)");
    await new Promise((r) => setTimeout(r, 20));
    const branch = await createBranch({ parent, at: new Date(), fast: true });
    const client = new pg.Client({ connectionString: branch.url() });
    await client.connect();
    expect((await client.query("select count(*)::int as n from t")).rows[0].n).toBe(3);
    await client.end();
    await expect(createBranch({ parent, at: old.finishedAt })).rejects.toThrow(/before the history window/);
  });
});

describe.runIf(process.getuid?.() === 0)("as root", () => {
  it("every file made for a standby, a backup or an archive belongs to the postgres OS user", async () => {
    const primary = await startLocalPostgres({ fast: true, replication: true });
    await takeBaseBackup(primary);
    const standby = await startStandby({ primary, fast: true });
    const dirs = [primary.replication!.dir, standby.dataDir, standby.replication!.dir];
    for (const dir of dirs) {
      const { stdout } = await run("find", [dir, "-not", "-user", "postgres"]);
      expect(stdout).toBe("");
    }
  });
});
