import { ClusterHandle, type ClusterSpec, removeClusterFiles, startServer } from "../cluster-handle.ts";
import type { Postmaster } from "../postmaster.ts";
import type { LocalPostgres, ReplicationSource } from "../types.ts";
import { withClient } from "../with-client.ts";
import { backupInto, requireSource } from "./base-backup.ts";
import { headLsn } from "./history.ts";
import { restoreCommand } from "./home.ts";
import { walBytesBetween } from "./lsn.ts";
import { newCopy } from "./new-copy.ts";
import { configureRecovery, setAutoConf } from "./recovery-config.ts";
import { type ReplicationRole, readReplicationRole } from "./role.ts";
import type { ReplicationLag, Standby, StandbyOptions } from "./types.ts";

/** recovery_min_apply_delay's ceiling (an int of milliseconds). */
const MAX_APPLY_DELAY_MS = 2_147_483_647;
const PROMOTE_WAIT_SECONDS = 60;

/**
 * A hot standby of `primary`: a base backup of it, then streaming replication (primary_conninfo, as its
 * replication role) with its archive as the fallback when the stream is behind or down. It serves
 * read-only queries as soon as it is consistent.
 *
 * @example
 * const standby = await startStandby({ primary, applyDelayMs: 2_000, fast: true });
 * await standby.lag(); // { bytes, seconds, replayLsn, ... }
 */
export async function startStandby(options: StandbyOptions): Promise<Standby> {
  const { primary } = options;
  const source = requireSource(primary, "start a standby of");
  const delay = checkedDelay(options.applyDelayMs ?? 0);
  const spec = await newCopy(options);
  try {
    await backupInto(primary, spec.dataDir, spec.ids, `standby on port ${spec.port}`);
    await configureRecovery(
      spec.dataDir,
      "standby",
      {
        primary_conninfo: conninfo(primary, source, spec.port),
        restore_command: restoreCommand(source.archiveDir),
        recovery_min_apply_delay: `${delay}ms`,
        recovery_target_timeline: "latest",
      },
      spec.ids,
    );
    const role = await readReplicationRole(spec.dataDir);
    const postmaster = await startServer(spec, true);
    return new StandbyHandle(spec, postmaster, role, primary, delay);
  } catch (error) {
    await removeClusterFiles(spec);
    throw error;
  }
}

class StandbyHandle extends ClusterHandle implements Standby {
  readonly primary: LocalPostgres;
  #delay: number;
  #promoted = false;

  constructor(
    spec: ClusterSpec,
    postmaster: Postmaster,
    role: ReplicationRole,
    primary: LocalPostgres,
    delay: number,
  ) {
    super(spec, postmaster, role);
    this.primary = primary;
    this.#delay = delay;
  }

  get applyDelayMs(): number {
    return this.#delay;
  }

  get promoted(): boolean {
    return this.#promoted;
  }

  async setApplyDelay(ms: number): Promise<void> {
    const delay = checkedDelay(ms);
    if (this.#promoted) throw new Error(`pg-local: the standby on port ${this.port} was promoted`);
    if (this.state !== "running") {
      // Suspended: the setting is read when it resumes.
      await setAutoConf(this.dataDir, { recovery_min_apply_delay: `${delay}ms` }, [], this.spec.ids);
      this.#delay = delay;
      return;
    }
    await withClient(this.url(), async (c) => {
      await c.query(`ALTER SYSTEM SET recovery_min_apply_delay = '${delay}ms'`);
      await c.query("SELECT pg_reload_conf()");
    });
    this.#delay = delay;
    await this.#settled(delay);
  }

  async lag(): Promise<ReplicationLag> {
    if (this.#promoted) throw new Error(`pg-local: the standby on port ${this.port} was promoted`);
    // The primary first: the standby cannot then be measured ahead of it.
    const primaryLsn =
      this.primary.state === "running" ? await headLsn(this.primary).catch(() => null) : null;
    const row = await withClient(this.url(), async (c) => {
      const result = await c.query<{ receive: string | null; replay: string; at: Date | null; now: Date }>(
        `SELECT pg_last_wal_receive_lsn() AS receive, pg_last_wal_replay_lsn() AS replay,
                pg_last_xact_replay_timestamp() AS at, clock_timestamp() AS now`,
      );
      return result.rows[0]!;
    });
    const bytes = primaryLsn === null ? null : Math.max(0, walBytesBetween(row.replay, primaryLsn));
    const caughtUp = bytes === null ? row.receive === null || row.receive === row.replay : bytes === 0;
    const age = row.at ? Math.max(0, (row.now.getTime() - row.at.getTime()) / 1000) : null;
    return {
      primaryLsn,
      receiveLsn: row.receive,
      replayLsn: row.replay,
      bytes,
      seconds: caughtUp ? 0 : age,
      lastReplayAt: row.at,
    };
  }

  async promote(): Promise<void> {
    if (this.#promoted) return;
    await withClient(this.url(), async (c) => {
      const result = await c.query<{ done: boolean }>("SELECT pg_promote(true, $1) AS done", [
        PROMOTE_WAIT_SECONDS,
      ]);
      if (!result.rows[0]?.done) {
        throw new Error(
          `pg-local: the standby on port ${this.port} did not finish promoting within ${PROMOTE_WAIT_SECONDS} s`,
        );
      }
      // A primary now: nothing may point it back at its old primary or that one's archive (no reload:
      // out of recovery, they are not read until a restart).
      for (const name of ["primary_conninfo", "restore_command", "recovery_min_apply_delay"]) {
        await c.query(`ALTER SYSTEM RESET ${name}`);
      }
    });
    this.#promoted = true;
  }

  /** Waits (briefly) until new sessions see the new delay: the reload is asynchronous. */
  async #settled(delay: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const setting = await withClient(this.url(), async (c) => {
        const result = await c.query<{ setting: string }>(
          "SELECT setting FROM pg_settings WHERE name = 'recovery_min_apply_delay'",
        );
        return Number(result.rows[0]?.setting);
      });
      if (setting === delay) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(
      `pg-local: the standby on port ${this.port} did not take the new apply delay within 10 s`,
    );
  }
}

function checkedDelay(ms: number): number {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_APPLY_DELAY_MS) {
    throw new Error(
      `pg-local: an apply delay is a whole number of milliseconds from 0 to ${MAX_APPLY_DELAY_MS}`,
    );
  }
  return ms;
}

/** How the standby reaches its primary: as the replication role, named after itself in pg_stat_replication. */
function conninfo(primary: LocalPostgres, source: ReplicationSource, port: number): string {
  const pairs = {
    host: primary.host,
    port: String(primary.port),
    user: source.user,
    password: source.password,
    application_name: `pg_local_standby_${port}`,
    connect_timeout: "5",
  };
  return Object.entries(pairs)
    .map(([key, value]) => `${key}='${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`)
    .join(" ");
}
