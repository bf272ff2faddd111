import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { claimDir } from "../environment.ts";
import type { OsIds } from "../os-user.ts";
import { firstBlockedDir } from "../reach.ts";
import type { ReplicationOptions } from "../types.ts";

/** The folder beside a replication-ready cluster: its WAL archive and its stored base backups. */
export interface ReplicationHome {
  dir: string;
  archiveDir: string;
  backupsDir: string;
  /** Removed with the cluster (it sits beside a temporary data directory). */
  temporary: boolean;
}

export async function prepareReplicationHome(
  dataDir: string,
  dataDirIsTemporary: boolean,
  options: ReplicationOptions,
  ids: OsIds | undefined,
): Promise<ReplicationHome> {
  let dir = options.dir === undefined ? `${dataDir}.replication` : path.resolve(options.dir);
  if (ids && options.dir !== undefined && (await firstBlockedDir(path.dirname(dir), ids))) {
    // As root, PostgreSQL runs as the postgres OS user, which cannot get there (a private home): the folder
    // goes beside the data directory, which was placed where it can (environment.ts), under a name that stays
    // the same from one start to the next.
    const key = createHash("sha256").update(dir).digest("hex").slice(0, 12);
    dir = path.join(path.dirname(dataDir), `${path.basename(dir)}-${key}`);
  }
  const blocked = ids && (await firstBlockedDir(path.dirname(dir), ids));
  if (blocked) {
    throw new Error(
      `pg-local: as root, PostgreSQL runs as the postgres OS user, which cannot enter ${blocked.dir} (mode ${blocked.mode}) to reach the replication folder ${dir}; choose a folder it can enter`,
    );
  }
  const home: ReplicationHome = {
    dir,
    archiveDir: path.join(dir, "archive"),
    backupsDir: path.join(dir, "backups"),
    temporary: options.dir === undefined && dataDirIsTemporary,
  };
  try {
    for (const d of [home.dir, home.archiveDir, home.backupsDir]) await claimDir(d, ids);
  } catch (error) {
    throw new Error(`pg-local: replication folder ${dir} is not usable: ${(error as Error).message}`);
  }
  return home;
}

export async function removeReplicationHome(home: ReplicationHome): Promise<void> {
  if (home.temporary) await fs.rm(home.dir, { recursive: true, force: true });
}

/**
 * What makes a cluster a primary for standbys and branches, on the postmaster's command line (never in
 * its files, so a copy of its data directory does not archive into its archive). Standby-side settings
 * are here too: a standby that is promoted is a primary like any other.
 */
export function replicationFlags(home: ReplicationHome): string[] {
  const archive = shellPath(home.archiveDir);
  const settings = [
    "wal_level=replica",
    "max_wal_senders=16",
    "max_replication_slots=16",
    "hot_standby=on",
    // Queries on a standby are not cancelled by the primary's vacuum of rows they still see.
    "hot_standby_feedback=on",
    // Standbys report their replay position every second (default 10 s), so lag reads stay current.
    "wal_receiver_status_interval=1s",
    "archive_mode=on",
    // Copied under a temporary name, then renamed: restore_command never reads half a segment.
    `archive_command=cp %p ${archive}/%f.partial-copy && mv ${archive}/%f.partial-copy ${archive}/%f`,
  ];
  return settings.flatMap((s) => ["-c", s]);
}

/** restore_command reading from an archive; a missing file is a quiet "not there" (exit 1), not an error. */
export function restoreCommand(archiveDir: string): string {
  const archive = shellPath(archiveDir);
  return `test -f ${archive}/%f && cp ${archive}/%f %p`;
}

/** A path inside a shell command of PostgreSQL's: single-quoted for the shell, `%` doubled for the server. */
function shellPath(p: string): string {
  return `'${p.replaceAll("'", "'\\''").replaceAll("%", "%%")}'`;
}

/** How long the archive may take to receive a segment (archive_command may be failing). */
export const ARCHIVE_WAIT_MS = 60_000;

/** Waits until the archive holds `segment` (the archiver sends them in order: the earlier ones too). */
export async function waitForArchived(archiveDir: string, segment: string, port: number): Promise<void> {
  const deadline = Date.now() + ARCHIVE_WAIT_MS;
  while (
    !(await fs.access(path.join(archiveDir, segment)).then(
      () => true,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) {
      throw new Error(
        `pg-local: the archive of the cluster on port ${port} did not receive ${segment} within ${ARCHIVE_WAIT_MS / 1000} s (is archive_command failing? see the server's log)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
