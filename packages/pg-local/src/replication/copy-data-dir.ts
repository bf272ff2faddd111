import { constants as fsConstants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { OsIds } from "../os-user.ts";

/**
 * Folders whose contents a base backup leaves out (as pg_basebackup does): WAL comes from the archive or
 * the stream, and the rest is rebuilt or meaningless on another server.
 */
const EMPTIED = new Set([
  "pg_wal",
  "pg_replslot",
  "pg_dynshmem",
  "pg_notify",
  "pg_serial",
  "pg_snapshots",
  "pg_stat_tmp",
  "pg_subtrans",
]);
/** Top-level files a copy must not carry: the running server's, an old backup's, or signal files. */
const LEFT_OUT = new Set([
  "postmaster.pid",
  "postmaster.opts",
  "backup_label",
  "backup_label.old",
  "tablespace_map",
  "tablespace_map.old",
  "standby.signal",
  "recovery.signal",
  "current_logfiles",
]);
/** Files copied at once: enough to keep the disk busy, few enough to leave the machine's cores to others. */
const PARALLEL = 4;

export interface CopyResult {
  files: number;
  bytes: number;
}

/**
 * Copies a data directory file by file (a reflink where the file system has them, else a kernel-side
 * copy), with the exclusions above (a stored backup keeps its backup_label). Safe on a live cluster inside pg_backup_start/stop: a file that
 * vanishes midway (a dropped table) is skipped and a torn page is rewritten by WAL replay. Hard links would
 * not be: the server writes its files in place. As root, everything made is given to the server's OS user.
 */
export async function copyDataDir(
  from: string,
  to: string,
  ids: OsIds | undefined,
  options: { stored?: boolean } = {},
): Promise<CopyResult> {
  const tablespaces = await fs.readdir(path.join(from, "pg_tblspc")).catch(() => []);
  if (tablespaces.length > 0) {
    throw new Error(`pg-local: cannot copy ${from}: it has tablespaces, which pg-local does not support`);
  }
  const files: string[] = [];
  // A stored backup's backup_label is what makes it restorable: it stays.
  const leftOut = options.stored ? new Set<string>() : LEFT_OUT;
  await walk(from, to, "", files, ids, leftOut);
  await fs.mkdir(path.join(to, "pg_wal", "archive_status"), { recursive: true, mode: 0o700 });
  if (ids) await fs.chown(path.join(to, "pg_wal", "archive_status"), ids.uid, ids.gid);

  const result: CopyResult = { files: 0, bytes: 0 };
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const relative = files[next++]!;
      const bytes = await copyFile(path.join(from, relative), path.join(to, relative), ids);
      if (bytes !== undefined) {
        result.files++;
        result.bytes += bytes;
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return result;
}

async function walk(
  fromRoot: string,
  toRoot: string,
  relative: string,
  files: string[],
  ids: OsIds | undefined,
  leftOut: ReadonlySet<string>,
): Promise<void> {
  const target = path.join(toRoot, relative);
  await fs.mkdir(target, { recursive: true, mode: 0o700 });
  if (ids) await fs.chown(target, ids.uid, ids.gid);
  if (relative !== "" && EMPTIED.has(relative)) return;
  const entries = await fs.readdir(path.join(fromRoot, relative), { withFileTypes: true }).catch(vanished);
  for (const entry of entries) {
    const name = path.join(relative, entry.name);
    if (relative === "" && leftOut.has(entry.name)) continue;
    if (entry.name.startsWith("pgsql_tmp") || entry.name === "pg_internal.init") continue;
    // Made empty even when the original is a link elsewhere (initdb --waldir).
    if (entry.isDirectory() || (relative === "" && EMPTIED.has(entry.name)))
      await walk(fromRoot, toRoot, name, files, ids, leftOut);
    else if (entry.isFile()) files.push(name);
    else if (entry.isSymbolicLink()) await copyLink(path.join(fromRoot, name), path.join(toRoot, name), ids);
  }
}

/** Bytes copied, or undefined when the file was gone by the time its turn came. */
async function copyFile(from: string, to: string, ids: OsIds | undefined): Promise<number | undefined> {
  try {
    await fs.copyFile(from, to, fsConstants.COPYFILE_FICLONE);
    if (ids) await fs.chown(to, ids.uid, ids.gid);
    return (await fs.stat(to)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function copyLink(from: string, to: string, ids: OsIds | undefined): Promise<void> {
  const link = await fs.readlink(from).catch(() => undefined);
  if (link === undefined) return;
  await fs.symlink(link, to);
  if (ids) await fs.lchown(to, ids.uid, ids.gid);
}

function vanished(error: NodeJS.ErrnoException): [] {
  if (error.code === "ENOENT") return [];
  throw error;
}
