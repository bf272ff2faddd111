import path from "node:path";
import type pg from "pg";
import { writeOwnedFile } from "../environment.ts";
import type { OsIds } from "../os-user.ts";
import type { LocalPostgres, ReplicationSource } from "../types.ts";
import { withClient } from "../with-client.ts";
import { copyDataDir } from "./copy-data-dir.ts";
import { waitForArchived } from "./home.ts";
import type { BaseBackup } from "./types.ts";

/** Bounds the start checkpoint (immediate, but behind whatever the server is writing). */
const CHECKPOINT_TIMEOUT_MS = 5 * 60_000;

/**
 * An online base backup of a running primary into `into` (absent or empty), with PostgreSQL's low-level
 * API (the embedded binaries have no pg_basebackup): pg_backup_start with an immediate checkpoint, a copy
 * of the data directory while it runs, pg_backup_stop, a wait until the archive holds every segment the
 * backup needs, then its backup_label written into the copy. Restoring it replays WAL from the label's
 * checkpoint; it is consistent from the end position on.
 */
export async function backupInto(
  source: LocalPostgres,
  into: string,
  ids: OsIds | undefined,
  purpose: string,
): Promise<BaseBackup> {
  const { archiveDir } = requireSource(source, "take a base backup of");
  return withClient(source.url(), async (c) => {
    const recovering = await c.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r");
    if (recovering.rows[0]?.r) {
      throw new Error(
        `pg-local: cannot take a base backup of the standby on port ${source.port}; back up its primary`,
      );
    }
    await c.query(`SET statement_timeout = ${CHECKPOINT_TIMEOUT_MS}`);
    const startedAt = new Date();
    const start = await c.query<{ lsn: string }>("SELECT pg_backup_start($1, true) AS lsn", [
      `pg-local ${purpose}`.slice(0, 1000),
    ]);
    let copied: Awaited<ReturnType<typeof copyDataDir>>;
    try {
      copied = await copyDataDir(source.dataDir, into, ids);
    } catch (error) {
      await c.query("SELECT pg_backup_stop(false)").catch(() => undefined);
      throw error;
    }
    const stop = await stopBackup(c, source.port, archiveDir);
    await writeOwnedFile(path.join(into, "backup_label"), stop.labelfile, ids);
    if (stop.spcmapfile) await writeOwnedFile(path.join(into, "tablespace_map"), stop.spcmapfile, ids);
    const timeline = /^START TIMELINE: (\d+)$/m.exec(stop.labelfile)?.[1];
    return {
      id: path.basename(into),
      dir: into,
      startLsn: start.rows[0]!.lsn,
      endLsn: stop.lsn,
      timeline: timeline ? Number.parseInt(timeline, 10) : 1,
      startedAt,
      finishedAt: new Date(),
      files: copied.files,
      bytes: copied.bytes,
    };
  });
}

/**
 * pg_backup_stop without its own wait for the archive (it re-checks only once a second), then a quick
 * watch of the archive folder for the segment holding the backup's end.
 */
async function stopBackup(
  c: pg.Client,
  port: number,
  archiveDir: string,
): Promise<{ lsn: string; labelfile: string; spcmapfile: string | null }> {
  const stop = await c.query<{ lsn: string; labelfile: string; spcmapfile: string | null; file: string }>(
    "SELECT lsn, labelfile, spcmapfile, pg_walfile_name(lsn) AS file FROM pg_backup_stop(false)",
  );
  const row = stop.rows[0]!;
  await waitForArchived(archiveDir, row.file, port);
  return row;
}

/** The cluster's replication side, or a clear error saying how to get one. */
export function requireSource(cluster: LocalPostgres, action: string): ReplicationSource {
  if (!cluster.replication) {
    throw new Error(
      `pg-local: cannot ${action} the cluster on port ${cluster.port}: it was not started with \`replication\``,
    );
  }
  if (cluster.state !== "running") {
    throw new Error(`pg-local: cannot ${action} the cluster on port ${cluster.port}: it is ${cluster.state}`);
  }
  return cluster.replication;
}
