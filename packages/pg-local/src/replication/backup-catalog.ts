import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { claimDir, writeOwnedFile } from "../environment.ts";
import { postgresOsIds } from "../os-user.ts";
import type { LocalPostgres } from "../types.ts";
import { backupInto, requireSource } from "./base-backup.ts";
import { compareLsn } from "./lsn.ts";
import type { BaseBackup } from "./types.ts";

interface Manifest extends Omit<BaseBackup, "dir" | "startedAt" | "finishedAt"> {
  startedAt: string;
  finishedAt: string;
}

/**
 * Takes a base backup of a running replication-ready cluster into its catalogue (`<replication>/backups`),
 * where branches in the past start from. Its manifest is written last: a backup cut short is never listed.
 */
export async function takeBaseBackup(cluster: LocalPostgres): Promise<BaseBackup> {
  const { backupsDir } = requireSource(cluster, "take a base backup of");
  const ids = await postgresOsIds();
  const id = `${new Date().toISOString().replace(/[-:.]/g, "")}-${randomBytes(3).toString("hex")}`;
  const dir = path.join(backupsDir, id);
  await claimDir(dir, ids);
  try {
    const backup = await backupInto(cluster, dir, ids, `stored backup ${id}`);
    const { dir: _dir, startedAt, finishedAt, ...rest } = backup;
    const manifest: Manifest = {
      ...rest,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
    };
    await writeOwnedFile(path.join(backupsDir, `${id}.json`), `${JSON.stringify(manifest, null, 2)}\n`, ids);
    return backup;
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The cluster's stored base backups, oldest first (by where they become consistent). */
export async function listBaseBackups(cluster: LocalPostgres): Promise<BaseBackup[]> {
  if (!cluster.replication) return [];
  const { backupsDir } = cluster.replication;
  const names = await fs.readdir(backupsDir).catch(() => [] as string[]);
  const backups: BaseBackup[] = [];
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    const manifest = JSON.parse(await fs.readFile(path.join(backupsDir, name), "utf8")) as Manifest;
    backups.push({
      ...manifest,
      dir: path.join(backupsDir, manifest.id),
      startedAt: new Date(manifest.startedAt),
      finishedAt: new Date(manifest.finishedAt),
    });
  }
  return backups.sort((a, b) => compareLsn(a.endLsn, b.endLsn));
}

/** Removes a stored backup: its manifest first, so that no branch picks it while its files go. */
export async function removeBaseBackup(cluster: LocalPostgres, backup: BaseBackup): Promise<void> {
  if (!cluster.replication) return;
  const { backupsDir } = cluster.replication;
  if (path.dirname(backup.dir) !== backupsDir) {
    throw new Error(`pg-local: ${backup.dir} is not a stored backup of the cluster on port ${cluster.port}`);
  }
  await fs.rm(path.join(backupsDir, `${backup.id}.json`), { force: true });
  await fs.rm(backup.dir, { recursive: true, force: true });
}
