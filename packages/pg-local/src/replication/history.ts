import fs from "node:fs/promises";
import path from "node:path";
import type { LocalPostgres } from "../types.ts";
import { withClient } from "../with-client.ts";
import { listBaseBackups, removeBaseBackup, takeBaseBackup } from "./backup-catalog.ts";
import { insertLsnAsEnd, type Lsn, segmentEnd, segmentKey, walBytesBetween } from "./lsn.ts";
import type { BackupPolicy, BaseBackup, HistoryWindow } from "./types.ts";

export const DEFAULT_MAX_WAL_BYTES = 256 * 1024 * 1024;

/**
 * The backup policy: a stored base backup when there is none yet (call it once the cluster is created),
 * and again once `maxWalBytes` of WAL (or `maxAgeMs`) has passed since the newest (call it after each
 * large load, or now and then). A branch in the past copies the newest backup before its point and
 * replays the WAL from there, so this bounds its replay whatever the cluster's history. Returns the new
 * backup, or undefined when none was due.
 */
export async function backupIfDue(
  cluster: LocalPostgres,
  policy: BackupPolicy = {},
): Promise<BaseBackup | undefined> {
  const maxWalBytes = policy.maxWalBytes ?? DEFAULT_MAX_WAL_BYTES;
  const newest = (await listBaseBackups(cluster)).at(-1);
  if (!newest) return takeBaseBackup(cluster);
  const head = await headLsn(cluster);
  // A backup ends with a switch to a new segment: the rest of its last one is padding, not history.
  const walSince = walBytesBetween(segmentEnd(newest.endLsn), head);
  const age = Date.now() - newest.finishedAt.getTime();
  if (walSince >= maxWalBytes || (policy.maxAgeMs !== undefined && age >= policy.maxAgeMs)) {
    return takeBaseBackup(cluster);
  }
  return undefined;
}

/** From the oldest stored backup's end to now; undefined without a stored backup (only head then). */
export async function historyWindow(cluster: LocalPostgres): Promise<HistoryWindow | undefined> {
  const oldest = (await listBaseBackups(cluster))[0];
  return oldest && { from: oldest.finishedAt, fromLsn: oldest.endLsn };
}

/**
 * Keeps branching possible back to `keepMs` ago and no further: the newest backup older than that point
 * and every newer one stay, older backups go, and so does every archived WAL file before the oldest kept
 * backup's start. Not to be run while a branch is being made from this cluster.
 */
export async function pruneHistory(
  cluster: LocalPostgres,
  options: { keepMs: number },
): Promise<{ backups: number; walFiles: number }> {
  if (!cluster.replication) return { backups: 0, walFiles: 0 };
  const backups = await listBaseBackups(cluster);
  const cutoff = Date.now() - options.keepMs;
  const older = backups.filter((b) => b.finishedAt.getTime() < cutoff);
  const removed = older.slice(0, -1);
  for (const backup of removed) await removeBaseBackup(cluster, backup);
  const oldestKept = backups[removed.length];
  if (!oldestKept) return { backups: removed.length, walFiles: 0 };

  const keepFrom = segmentKey(oldestKept.startLsn);
  const { archiveDir } = cluster.replication;
  let walFiles = 0;
  for (const name of await fs.readdir(archiveDir)) {
    // 24 hex digits (timeline, then position), maybe a suffix (.backup, .partial); timeline histories stay.
    if (!/^[0-9A-F]{24}/.test(name) || name.endsWith(".history")) continue;
    if (name.slice(8, 24) >= keepFrom) continue;
    await fs.rm(path.join(archiveDir, name), { force: true });
    walFiles++;
  }
  return { backups: removed.length, walFiles };
}

/**
 * Where the cluster's WAL ends, including what is inserted but not yet written out (with
 * synchronous_commit off a commit returns before its WAL is written: a replica is behind it already).
 */
export async function headLsn(cluster: LocalPostgres): Promise<Lsn> {
  return withClient(cluster.url(), async (c) => {
    const result = await c.query<{ lsn: string }>("SELECT pg_current_wal_insert_lsn() AS lsn");
    return insertLsnAsEnd(result.rows[0]!.lsn);
  });
}
