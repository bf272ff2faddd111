import fs from "node:fs/promises";
import path from "node:path";
import {
  backupIfDue,
  createBranch,
  type HistoryWindow,
  historyWindow,
  type LocalPostgres,
  type Lsn,
  pruneHistory,
  startLocalPostgres,
} from "@lakebase-orders/pg-local";
import type { ServiceContext } from "../state/context.ts";
import { BranchCluster } from "./branch-cluster.ts";

/** How often kept history is checked: a stored backup when enough WAL has passed, old history pruned. */
const HISTORY_CHECK_MS = 60_000;

/**
 * One PostgreSQL cluster per Autoscaling branch, each replication-ready (WAL archive, stored base backups)
 * so that it can have standbys (read-only endpoints) and child branches. A project's root branch starts
 * from a fresh cluster; a child branch is a base backup of its parent replayed to its point (pg-local's
 * createBranch): a real, independent copy. Clusters are opened lazily after a restart (kept under
 * `branchesDir/<uid>`) or are temporary (removed on stop).
 */
export class BranchClusters {
  readonly #ctx: ServiceContext;
  readonly #clusters = new Map<string, BranchCluster>();
  /** First stored backups still being taken (a branch in the past waits for its parent's). */
  readonly #firstBackups = new Map<string, Promise<void>>();
  readonly #onStart: (cluster: BranchCluster) => Promise<void>;
  #timer: NodeJS.Timeout | undefined;

  constructor(ctx: ServiceContext, onStart: (cluster: BranchCluster) => Promise<void>) {
    this.#ctx = ctx;
    this.#onStart = onStart;
  }

  get(branch: string): BranchCluster | undefined {
    return this.#clusters.get(branch);
  }

  /** The cluster of a branch, opened lazily from its kept directory (after a restart). */
  of(branch: string): BranchCluster {
    const found = this.#clusters.get(branch);
    if (found) return found;
    const record = this.#ctx.postgres.branches[branch];
    const dirs = record && this.#dirs(record.uid);
    if (!dirs) throw new Error(`lakebase-local: ${branch} has no cluster`);
    const cluster = new BranchCluster(
      branch,
      () => startLocalPostgres({ dataDir: dirs.dataDir, replication: { dir: dirs.replication } }),
      this.#onStart,
    );
    this.#clusters.set(branch, cluster);
    return cluster;
  }

  /** A new project's root branch: a fresh cluster; its first stored backup follows (its history starts there). */
  async createRoot(branch: string, uid: string): Promise<BranchCluster> {
    const dirs = await this.#prepare(uid);
    const pg = await startLocalPostgres(
      dirs
        ? { dataDir: dirs.dataDir, replication: { dir: dirs.replication } }
        : { fast: true, replication: true },
    );
    return this.#register(branch, pg);
  }

  /**
   * A child branch: the parent's data as of now, or as of `at` (a time or an LSN within its history).
   * The parent is held (woken if suspended) while it is copied.
   */
  async createChild(
    branch: string,
    uid: string,
    parent: string,
    at: Date | { lsn: Lsn } | undefined,
  ): Promise<{ cluster: BranchCluster; forkLsn: Lsn }> {
    const dirs = await this.#prepare(uid);
    const child = await this.of(parent).hold(({ pg }) =>
      createBranch({
        parent: pg,
        ...(at ? { at } : {}),
        ...(dirs ? { dataDir: dirs.dataDir, replication: { dir: dirs.replication } } : { fast: true }),
      }),
    );
    const cluster = await this.#register(branch, child);
    return { cluster, forkLsn: child.forkLsn };
  }

  /** The span a child branch of `branch` can start in (undefined until its first stored backup). */
  async history(branch: string): Promise<HistoryWindow | undefined> {
    await this.#firstBackups.get(branch);
    return this.of(branch).hold(({ pg }) => historyWindow(pg));
  }

  /** After much WAL (a large load): a stored backup, so that branches in the past replay little. */
  async backupIfDue(branch: string): Promise<void> {
    // A first backup still under way is the one that counts (not a second one beside it).
    await this.#firstBackups.get(branch);
    const cluster = this.#clusters.get(branch);
    // Held: a backup takes seconds on a large cluster, and scale to zero must not stop it half-way.
    if (cluster?.current) await cluster.hold(({ pg }) => backupIfDue(pg));
  }

  /** Stops and forgets the cluster; `purge` also removes its data and history. */
  async remove(branch: string, purge: boolean): Promise<void> {
    const cluster = this.#clusters.get(branch);
    if (!cluster) return;
    this.#clusters.delete(branch);
    // Its first backup writes into the history a purge removes: removed under it, the removal found files
    // still arriving (ENOTEMPTY, a failed delete operation).
    await this.#firstBackups.get(branch);
    await (purge ? cluster.remove() : cluster.stop());
  }

  /** Every cluster, for the idle loop. */
  all(): BranchCluster[] {
    return [...this.#clusters.values()];
  }

  async stopAll(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await Promise.allSettled([...this.#firstBackups.values()]);
    await Promise.allSettled([...this.#clusters.values()].map((c) => c.stop()));
    this.#clusters.clear();
  }

  async #register(branch: string, pg: LocalPostgres): Promise<BranchCluster> {
    const cluster = new BranchCluster(branch, () => Promise.reject(new Error("reopened")), this.#onStart, pg);
    this.#clusters.set(branch, cluster);
    try {
      await this.#onStart(cluster);
    } catch (error) {
      this.#clusters.delete(branch);
      await cluster.stop();
      throw error;
    }
    // Its history starts at its first stored backup, taken meanwhile (held: scale to zero waits for it).
    const first = cluster
      .hold(() => backupIfDue(pg), { quiet: true })
      .then(
        () => undefined,
        (error: unknown) =>
          this.#ctx.log({ event: "history_error", branch, error: (error as Error).message }),
      );
    this.#firstBackups.set(branch, first);
    void first.finally(() => this.#firstBackups.delete(branch));
    this.#watchHistory();
    return cluster;
  }

  #dirs(uid: string): { dataDir: string; replication: string } | undefined {
    const root = this.#ctx.deps.computes.branchesDir;
    return root
      ? { dataDir: path.join(root, uid, "pg"), replication: path.join(root, uid, "history") }
      : undefined;
  }

  /**
   * The kept folder of a new branch. As root, PostgreSQL runs as the `postgres` OS user, which must be
   * able to enter it (a folder made by pg-local's recursive mkdir would be 0700 and root's).
   */
  async #prepare(uid: string): Promise<{ dataDir: string; replication: string } | undefined> {
    const dirs = this.#dirs(uid);
    if (dirs) {
      const folder = path.dirname(dirs.dataDir);
      await fs.mkdir(folder, { recursive: true, mode: 0o755 });
      await fs.chmod(path.dirname(folder), 0o755).catch(() => undefined);
      await fs.chmod(folder, 0o755).catch(() => undefined);
    }
    return dirs;
  }

  /** Kept history follows each project's retention; new backups bound the replay of a branch in the past. */
  #watchHistory(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      for (const cluster of this.#clusters.values()) {
        const running = cluster.current;
        const branch = this.#ctx.postgres.branches[cluster.branch];
        const project = branch && this.#ctx.postgres.projects[branch.parent];
        if (!running || !project || cluster.held) continue;
        const keepMs = Number.parseFloat(project.status.history_retention_duration) * 1000;
        void cluster
          .hold(
            async ({ pg }) => {
              await backupIfDue(pg);
              await pruneHistory(pg, { keepMs });
            },
            { quiet: true },
          )
          .catch((error: unknown) =>
            this.#ctx.log({
              event: "history_error",
              branch: cluster.branch,
              error: (error as Error).message,
            }),
          );
      }
    }, HISTORY_CHECK_MS);
    this.#timer.unref();
  }
}
