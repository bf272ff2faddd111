import fs from "node:fs/promises";
import pg from "pg";
import type { Binaries } from "./binaries.ts";
import type { OsIds } from "./os-user.ts";
import { type PortReservation, reservePort } from "./port-reservation.ts";
import { type Postmaster, startPostmaster } from "./postmaster.ts";
import { type ReplicationHome, removeReplicationHome } from "./replication/home.ts";
import type { ReplicationRole } from "./replication/role.ts";
import type { ClusterState, LocalPostgres, ReplicationSource } from "./types.ts";
import { withClient } from "./with-client.ts";

export const USER = "postgres";
export const PASSWORD = "postgres";

const RESTART_ATTEMPTS = 8;

/** Every cluster this process started and has not stopped (stopAllLocalPostgres stops them). */
export const liveClusters = new Set<LocalPostgres>();

/** The last lines a server logged, for error messages, passed on to the caller's own listener. */
export class LogTail {
  readonly #lines: string[] = [];
  readonly #forward: ((line: string) => void) | undefined;

  constructor(forward?: (line: string) => void) {
    this.#forward = forward;
  }

  readonly push = (line: string): void => {
    this.#lines.push(line);
    if (this.#lines.length > 200) this.#lines.shift();
    this.#forward?.(line);
  };

  tail(count = 8): string {
    return this.#lines.slice(-count).join("\n");
  }
}

/** How to (re)start one cluster's postmaster, and what to remove with it. */
export interface ClusterSpec {
  dataDir: string;
  /** The data directory is ours to remove on stop(). */
  temporary: boolean;
  port: number;
  ids: OsIds | undefined;
  binaries: Binaries;
  /** Server settings (`-c name=value` pairs) given on every start. */
  flags: string[];
  log: LogTail;
  home: ReplicationHome | undefined;
}

/** Starts the postmaster of a prepared data directory; a failure names the data dir, port and log tail. */
export async function startServer(spec: ClusterSpec, readOnlyIsReady: boolean): Promise<Postmaster> {
  try {
    return await startPostmaster(
      spec.binaries,
      ["-D", spec.dataDir, "-p", String(spec.port), ...spec.flags],
      spec.ids,
      spec.log.push,
      { readOnlyIsReady },
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : "the server exited";
    const tail = spec.log.tail();
    throw new Error(
      `pg-local: PostgreSQL did not start (data dir ${spec.dataDir}, port ${spec.port}): ${message}${tail ? `\n${tail}` : ""}`,
    );
  }
}

/** Removes what a cluster that failed to start (or was stopped) leaves behind, when it is ours. */
export async function removeClusterFiles(spec: Pick<ClusterSpec, "dataDir" | "temporary" | "home">) {
  if (spec.temporary) await fs.rm(spec.dataDir, { recursive: true, force: true });
  if (spec.home) await removeReplicationHome(spec.home);
}

/**
 * A running cluster. Suspend, resume and stop run one at a time, in the order they were asked for, so a
 * stop during a resume waits for it and then stops what it started.
 */
export class ClusterHandle implements LocalPostgres {
  readonly host = "127.0.0.1";
  readonly user = USER;
  readonly password = PASSWORD;
  readonly port: number;
  readonly dataDir: string;
  readonly replication: ReplicationSource | undefined;
  protected readonly spec: ClusterSpec;
  #postmaster: Postmaster;
  #state: "running" | "suspended" | "stopped" = "running";
  #reservation: PortReservation | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #stopped: Promise<void> | undefined;

  constructor(spec: ClusterSpec, postmaster: Postmaster, role: ReplicationRole | undefined) {
    this.spec = spec;
    this.port = spec.port;
    this.dataDir = spec.dataDir;
    this.#postmaster = postmaster;
    this.replication =
      spec.home && role
        ? {
            dir: spec.home.dir,
            archiveDir: spec.home.archiveDir,
            backupsDir: spec.home.backupsDir,
            user: role.user,
            password: role.password,
          }
        : undefined;
    liveClusters.add(this);
  }

  get pid(): number | undefined {
    return this.#postmaster.pid;
  }

  get state(): ClusterState {
    if (this.#state === "running" && this.#postmaster.exited) return "exited";
    return this.#state;
  }

  url(database = "postgres"): string {
    return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${this.port}/${encodeURIComponent(database)}`;
  }

  async createDatabase(name: string): Promise<void> {
    await withClient(this.url(), (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  }

  async dropDatabase(name: string): Promise<void> {
    await withClient(this.url(), (c) =>
      c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
    );
  }

  suspend(): Promise<void> {
    return this.#serially(async () => {
      if (this.#state === "stopped") throw this.#gone("suspend");
      if (this.#state === "suspended") return;
      await this.#postmaster.stop();
      this.#reservation = await reservePort(
        this.port,
        "the database system is suspended; it starts again on its next use",
      );
      this.#state = "suspended";
    });
  }

  resume(): Promise<void> {
    return this.#serially(async () => {
      if (this.#state === "stopped") throw this.#gone("resume");
      if (this.#state === "running" && !this.#postmaster.exited) return;
      await this.#reservation?.close();
      this.#reservation = undefined;
      this.#postmaster = await this.#restart();
      this.#state = "running";
    });
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#serially(async () => {
      liveClusters.delete(this);
      this.#state = "stopped";
      await this.#postmaster.stop();
      await this.#reservation?.close();
      await removeClusterFiles(this.spec);
    });
    return this.#stopped;
  }

  /**
   * A standby comes back serving reads; anything else once it takes writes again. After a crash the old
   * server's children may hold its shared memory for a moment (they exit when they notice): retried.
   */
  async #restart(): Promise<Postmaster> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startServer(this.spec, true);
      } catch (error) {
        const busy = (error as Error).message.includes("pre-existing shared memory block");
        if (!busy || attempt === RESTART_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  #serially<T>(step: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(step, step);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #gone(action: string): Error {
    return new Error(`pg-local: cannot ${action} the cluster on port ${this.port}: it was stopped`);
  }
}
