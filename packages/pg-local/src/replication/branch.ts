import fs from "node:fs/promises";
import path from "node:path";
import { ClusterHandle, type ClusterSpec, removeClusterFiles, startServer } from "../cluster-handle.ts";
import type { Postmaster } from "../postmaster.ts";
import type { LocalPostgres } from "../types.ts";
import { withClient } from "../with-client.ts";
import { listBaseBackups } from "./backup-catalog.ts";
import { backupInto, requireSource } from "./base-backup.ts";
import { copyDataDir } from "./copy-data-dir.ts";
import { restoreCommand, waitForArchived } from "./home.ts";
import { compareLsn, isLsn, type Lsn } from "./lsn.ts";
import { newCopy } from "./new-copy.ts";
import { configureRecovery, RECOVERY_SETTINGS } from "./recovery-config.ts";
import { type ReplicationRole, readReplicationRole } from "./role.ts";
import type { BaseBackup, Branch, BranchOptions } from "./types.ts";

type Target = { time: Date } | { lsn: Lsn };

/**
 * A branch: a new, independent cluster with its parent's data as of now (`at` omitted: a fresh base backup
 * of the parent, replayed to its consistent point) or as of a past time or LSN (the newest stored backup
 * that ended before it, plus the parent's archived WAL replayed to exactly that point). Either way the
 * recovery ends in a promotion to a timeline of its own; then nothing ties it to its parent any more.
 *
 * @example
 * const head = await createBranch({ parent, fast: true });
 * const yesterday = await createBranch({ parent, at: new Date(Date.now() - 86_400_000) });
 */
export async function createBranch(options: BranchOptions): Promise<Branch> {
  const { parent } = options;
  const source = requireSource(parent, "branch");
  const target = checkedTarget(options.at);
  const stored = target && (await newestBackupBefore(parent, target));
  if (target) await archiveThroughNow(parent, source.archiveDir, target);

  const spec = await newCopy(options);
  let postmaster: Postmaster | undefined;
  try {
    let backup: BaseBackup;
    if (stored) {
      await copyDataDir(stored.dir, spec.dataDir, spec.ids, { stored: true });
      backup = stored;
    } else {
      backup = await backupInto(parent, spec.dataDir, spec.ids, `branch on port ${spec.port}`);
    }
    await configureRecovery(
      spec.dataDir,
      "recovery",
      {
        restore_command: restoreCommand(source.archiveDir),
        recovery_target_action: "promote",
        ...(target === undefined
          ? { recovery_target: "immediate" }
          : "time" in target
            ? { recovery_target_time: postgresTime(target.time) }
            : { recovery_target_lsn: target.lsn }),
      },
      spec.ids,
    );
    const role = await readReplicationRole(spec.dataDir);
    postmaster = await startServer(spec, false);
    const forkLsn = await readForkLsn(spec.dataDir);
    const branch = new BranchHandle(spec, postmaster, role, parent, forkLsn, backup);
    await forgetParent(branch.url()).catch(async (error: Error) => {
      await branch.stop();
      throw error;
    });
    return branch;
  } catch (error) {
    await postmaster?.stop();
    await removeClusterFiles(spec);
    throw error;
  }
}

class BranchHandle extends ClusterHandle implements Branch {
  readonly parent: LocalPostgres;
  readonly forkLsn: Lsn;
  readonly backup: BaseBackup;

  constructor(
    spec: ClusterSpec,
    postmaster: Postmaster,
    role: ReplicationRole,
    parent: LocalPostgres,
    forkLsn: Lsn,
    backup: BaseBackup,
  ) {
    super(spec, postmaster, role);
    this.parent = parent;
    this.forkLsn = forkLsn;
    this.backup = backup;
  }
}

function checkedTarget(at: BranchOptions["at"]): Target | undefined {
  if (at === undefined) return undefined;
  if (at instanceof Date) {
    if (Number.isNaN(at.getTime())) throw new Error("pg-local: a branch point time must be a valid date");
    if (at.getTime() > Date.now()) {
      throw new Error(`pg-local: cannot branch at ${at.toISOString()}: it is in the future`);
    }
    return { time: at };
  }
  if (!isLsn(at.lsn)) throw new Error(`pg-local: ${JSON.stringify(at.lsn)} is not an LSN (like 16/B374D848)`);
  return { lsn: at.lsn.toUpperCase() };
}

/** The newest stored backup consistent before the target: replay from it is the shortest. */
async function newestBackupBefore(parent: LocalPostgres, target: Target): Promise<BaseBackup> {
  const backups = await listBaseBackups(parent);
  const usable = backups.filter((b) =>
    "time" in target
      ? b.finishedAt.getTime() <= target.time.getTime()
      : compareLsn(b.endLsn, target.lsn) <= 0,
  );
  const chosen = usable.at(-1);
  if (chosen) return chosen;
  const point = "time" in target ? target.time.toISOString() : target.lsn;
  const oldest = backups[0];
  throw new Error(
    oldest
      ? `pg-local: cannot branch at ${point}: it is before the history window of the cluster on port ${parent.port}, which starts at ${oldest.finishedAt.toISOString()} (LSN ${oldest.endLsn})`
      : `pg-local: cannot branch at ${point}: the cluster on port ${parent.port} has no stored base backup yet (takeBaseBackup or backupIfDue make one)`,
  );
}

/**
 * Makes sure the archive holds the WAL up to now: a commit after the target (a time target stops only at
 * the first commit after it; without one the replay would run out of WAL first), then a switch to a new
 * segment, and a wait until the finished one is archived.
 */
async function archiveThroughNow(parent: LocalPostgres, archiveDir: string, target: Target): Promise<void> {
  const segment = await withClient(parent.url(), async (c) => {
    if ("lsn" in target) {
      const head = await c.query<{ lsn: string }>("SELECT pg_current_wal_lsn() AS lsn");
      if (compareLsn(target.lsn, head.rows[0]!.lsn) > 0) {
        throw new Error(
          `pg-local: cannot branch at ${target.lsn}: it is beyond the parent's WAL (${head.rows[0]!.lsn})`,
        );
      }
    }
    await c.query("SELECT txid_current()");
    const switched = await c.query<{ file: string }>("SELECT pg_walfile_name(pg_switch_wal()) AS file");
    return switched.rows[0]!.file;
  });
  await waitForArchived(archiveDir, segment, parent.port);
}

/** Drops the recovery settings: the branch must not read its parent's archive again (after a crash). */
async function forgetParent(url: string): Promise<void> {
  await withClient(url, async (c) => {
    // No reload: they only matter at the next start (and most are read only then).
    for (const name of RECOVERY_SETTINGS) await c.query(`ALTER SYSTEM RESET ${name}`);
  });
}

/** Where the branch's newest timeline leaves its parent's: the last line of its history file. */
async function readForkLsn(dataDir: string): Promise<Lsn> {
  const walDir = path.join(dataDir, "pg_wal");
  const histories = (await fs.readdir(walDir)).filter((n) => /^[0-9A-F]{8}\.history$/.test(n)).sort();
  const newest = histories.at(-1);
  if (!newest)
    throw new Error(`pg-local: the branch in ${dataDir} has no timeline history after its promotion`);
  const lines = (await fs.readFile(path.join(walDir, newest), "utf8"))
    .split("\n")
    .filter((l) => /^\d/.test(l));
  const lsn = lines.at(-1)?.split("\t")[1];
  if (!lsn || !isLsn(lsn)) throw new Error(`pg-local: cannot read the fork point from ${newest}`);
  return lsn;
}

/** `2026-12-06 20:48:43.850+00`: the server's check of recovery_target_time refuses ISO 8601's T and Z. */
function postgresTime(time: Date): string {
  return `${time.toISOString().replace("T", " ").replace("Z", "")}+00`;
}
