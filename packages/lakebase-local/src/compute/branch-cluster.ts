import fs from "node:fs/promises";
import type { LocalPostgres } from "@lakebase-orders/pg-local";
import { Cluster } from "./cluster.ts";

/** Where a branch's PostgreSQL is: never started here yet, serving, or suspended (scale to zero). */
export type BranchClusterState = "closed" | "running" | "suspended";

/**
 * The PostgreSQL cluster of one Autoscaling branch (its own data, its primary endpoint's compute), opened
 * lazily. Internal work (a branch copy, a database or role change, a synced table load) holds it: a held
 * cluster is woken if suspended and is not suspended until released. Start, suspend and stop run one at a
 * time, in the order asked.
 */
export class BranchCluster {
  readonly branch: string;
  readonly #open: () => Promise<LocalPostgres>;
  #pg: LocalPostgres | undefined;
  #admin: Cluster | undefined;
  #holds = 0;
  /** When internal work last ran on it (the idle loop counts that as activity). */
  lastUsedAt = Date.now();
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** Called when it is opened (the branch's roles and databases are then made if missing). */
  readonly #onStart: (cluster: BranchCluster) => Promise<void>;

  constructor(
    branch: string,
    open: () => Promise<LocalPostgres>,
    onStart: (cluster: BranchCluster) => Promise<void>,
    pg?: LocalPostgres,
  ) {
    this.branch = branch;
    this.#open = open;
    this.#onStart = onStart;
    if (pg) this.#adopt(pg);
  }

  get state(): BranchClusterState {
    if (!this.#pg || this.#pg.state === "stopped") return "closed";
    return this.#pg.state === "suspended" ? "suspended" : "running";
  }

  get held(): boolean {
    return this.#holds > 0;
  }

  /** The running cluster (started or woken first). */
  running(): Promise<{ pg: LocalPostgres; admin: Cluster }> {
    return this.#serially(async () => {
      if (this.#closed) throw new Error(`lakebase-local: the cluster of ${this.branch} was removed`);
      if (!this.#pg || this.#pg.state === "stopped") {
        this.#adopt(await this.#open());
        await this.#onStart(this);
      } else if (this.#pg.state !== "running") {
        await this.#pg.resume();
      }
      return { pg: this.#pg!, admin: this.#admin! };
    });
  }

  /**
   * Runs internal work on the running cluster, keeping it from suspending meanwhile. `quiet` work (routine
   * upkeep) does not count as activity afterwards, so it never keeps an idle cluster from scaling to zero.
   */
  async hold<T>(
    work: (c: { pg: LocalPostgres; admin: Cluster }) => Promise<T>,
    options: { quiet?: boolean } = {},
  ): Promise<T> {
    this.#holds++;
    try {
      return await work(await this.running());
    } finally {
      this.#holds--;
      if (!options.quiet) this.lastUsedAt = Date.now();
    }
  }

  /** Scale to zero: a fast shutdown (its sessions end with 57P01), data and port kept. */
  suspend(): Promise<void> {
    return this.#serially(async () => {
      if (this.#holds > 0 || !this.#pg || this.#pg.state !== "running") return;
      await this.#pg.suspend();
    });
  }

  /** Stops the postmaster (a temporary data directory goes with it). */
  stop(): Promise<void> {
    return this.#serially(async () => {
      this.#closed = true;
      await this.#pg?.stop();
    });
  }

  /** Stops it and removes its data and history for good (a purged branch). */
  remove(): Promise<void> {
    return this.#serially(async () => {
      this.#closed = true;
      const pg = this.#pg;
      if (!pg) return;
      await pg.stop();
      // A backup cut off by the stop may still be cleaning up its own folder beside this removal: retried.
      const gone = { recursive: true, force: true, maxRetries: 5, retryDelay: 100 };
      await fs.rm(pg.dataDir, gone);
      if (pg.replication) await fs.rm(pg.replication.dir, gone);
    });
  }

  /** The cluster as it is now, without starting it (for reads that may find it closed). */
  get current(): { pg: LocalPostgres; admin: Cluster } | undefined {
    return this.#pg && this.#admin && this.#pg.state === "running"
      ? { pg: this.#pg, admin: this.#admin }
      : undefined;
  }

  #adopt(pg: LocalPostgres): void {
    this.#pg = pg;
    this.#admin = new Cluster(pg.url("postgres"));
  }

  #serially<T>(step: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(step, step);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
