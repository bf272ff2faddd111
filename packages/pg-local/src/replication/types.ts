import type { LocalPostgres, ReplicationOptions } from "../types.ts";
import type { Lsn } from "./lsn.ts";

/** An online, consistent copy of a cluster's data directory plus where in its WAL it starts and ends. */
export interface BaseBackup {
  /** Its name in the cluster's catalogue (stored backups), or the folder's name. */
  readonly id: string;
  readonly dir: string;
  /** Where replay must begin (the backup's checkpoint). */
  readonly startLsn: Lsn;
  /** Where the copy is consistent: no point before it can be restored from this backup. */
  readonly endLsn: Lsn;
  readonly timeline: number;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly files: number;
  readonly bytes: number;
}

/** When to take a stored base backup (see backupIfDue). */
export interface BackupPolicy {
  /**
   * Take one once this much WAL was written since the newest (default 256 MiB): a branch in the past
   * replays at most about this much, whatever the cluster's size.
   */
  maxWalBytes?: number;
  /** Or once the newest is this old. Default: age alone never makes one due. */
  maxAgeMs?: number;
}

/** The span a branch can start in: from the oldest stored backup's end to now. */
export interface HistoryWindow {
  from: Date;
  fromLsn: Lsn;
}

export interface ReplicationLag {
  /** The primary's current write position; null when the primary cannot be reached (suspended, gone). */
  primaryLsn: Lsn | null;
  /** What the standby has received (streamed or restored from the archive). */
  receiveLsn: Lsn | null;
  /** What the standby has applied: its readers see the data as of here. */
  replayLsn: Lsn;
  /** WAL the standby has yet to apply; null when the primary cannot be reached. */
  bytes: number | null;
  /**
   * 0 when caught up; else the age of the newest transaction the standby has applied: how stale its
   * reads may be, an upper bound when the primary was idle before its latest writes. Null before the
   * standby has applied any transaction.
   */
  seconds: number | null;
  /** Commit time of the newest transaction applied. */
  lastReplayAt: Date | null;
}

/** Cluster settings a new standby or branch takes, as startLocalPostgres does. */
export interface CopyOptions {
  /** Data directory; it must be absent or empty. Omitted: a temporary one, removed on stop(). */
  dataDir?: string;
  port?: number;
  fast?: boolean;
  onLog?: (line: string) => void;
  runtimeDir?: string;
  /** Its own archive and backups folder (it is replication-ready, so it can have standbys and branches). */
  replication?: ReplicationOptions;
}

export interface StandbyOptions extends CopyOptions {
  /** A running cluster started with `replication`. */
  primary: LocalPostgres;
  /** Apply each transaction this long after its commit on the primary (recovery_min_apply_delay). */
  applyDelayMs?: number;
}

/** A hot standby: read-only, streaming from its primary (and reading its archive when it falls behind). */
export interface Standby extends LocalPostgres {
  readonly primary: LocalPostgres;
  readonly applyDelayMs: number;
  /** True once promote() has made it a primary of its own. */
  readonly promoted: boolean;
  /** Changes the apply delay at run time (a reload: sessions stay); a shorter one applies at once. */
  setApplyDelay(ms: number): Promise<void>;
  lag(): Promise<ReplicationLag>;
  /**
   * Failover: applies all WAL received so far (the delay no longer holds it back), leaves recovery and
   * takes writes on a new timeline. Stopping the old primary first is the caller's part.
   */
  promote(): Promise<void>;
}

export interface BranchOptions extends CopyOptions {
  /** A running cluster started with `replication`. */
  parent: LocalPostgres;
  /**
   * Where the branch starts. Omitted: the parent's data as of now. A Date: as of that time (every
   * transaction committed by then, none after). `{ lsn }`: as of that WAL position. A past point needs a
   * stored base backup that ended before it (see backupIfDue).
   */
  at?: Date | { lsn: Lsn };
}

/** An independent cluster whose data was its parent's at a point; writes never cross in either direction. */
export interface Branch extends LocalPostgres {
  readonly parent: LocalPostgres;
  /** The WAL position where its history leaves the parent's (its first own timeline's switch point). */
  readonly forkLsn: Lsn;
  /** The base backup it was restored from: a fresh one at head, a stored one for a past point. */
  readonly backup: BaseBackup;
}
