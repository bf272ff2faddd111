import type { BranchRecord, ProjectRecord } from "../../state/postgres-records.ts";
import type { PostgresDeps } from "../deps.ts";
import { PRIMARY_ENDPOINT } from "../names.ts";

/** How long a soft-deleted project or branch can be undeleted (then it is purged). */
export const PURGE_AFTER_MS = 7 * 86_400_000;
/** setTimeout's ceiling; a longer wait is re-armed when it fires. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Soft delete, undelete, purge and expiry of branches and projects. A soft-deleted branch keeps its data
 * (its cluster suspended, its endpoints refusing logins) until its purge time; purge removes its records,
 * computes and data for good. A branch past its `expire_time` is soft-deleted by a timer.
 */
/** What a branch's synced tables do when it is soft-deleted, undeleted or purged (unity/). */
export interface BranchTables {
  pause(branch: string): Promise<void>;
  resume(branch: string): void;
  forget(branch: string): Promise<void>;
}

export class Lifecycle {
  readonly #deps: PostgresDeps;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #tables: BranchTables | undefined;

  constructor(deps: PostgresDeps) {
    this.#deps = deps;
  }

  /** Wired once: the synced tables are made after the lifecycle (projects and branches need it first). */
  bindSyncedTables(tables: BranchTables): void {
    this.#tables = tables;
  }

  /** READY, with its endpoints taking connections. */
  ready(branch: BranchRecord): void {
    const { postgres } = this.#deps.ctx;
    branch.status.current_state = "READY";
    delete branch.status.pending_state;
    branch.status.state_change_time = new Date().toISOString();
    for (const endpoint of Object.values(postgres.endpoints)) {
      if (endpoint.parent !== branch.name || endpoint.status.current_state !== "INIT") continue;
      endpoint.status.current_state = "ACTIVE";
      delete endpoint.status.pending_state;
    }
    this.schedule(branch);
  }

  async softDelete(branch: BranchRecord): Promise<void> {
    const time = new Date();
    branch.status.current_state = "DELETED";
    branch.status.state_change_time = time.toISOString();
    branch.status.delete_time = time.toISOString();
    branch.status.purge_time = new Date(time.getTime() + PURGE_AFTER_MS).toISOString();
    await this.#quiesce(branch);
    this.schedule(branch);
    await this.#deps.ctx.save();
    this.#deps.ctx.log({ event: "branch_deleted", branch: branch.name, purge: false });
  }

  /** Back to READY with its data. An expiry that has passed is dropped (it would delete the branch again). */
  async undelete(branch: BranchRecord): Promise<void> {
    const expire = branch.status.expire_time;
    if (expire && Date.parse(expire) <= Date.now()) delete branch.status.expire_time;
    branch.status.current_state = "READY";
    branch.status.state_change_time = new Date().toISOString();
    delete branch.status.delete_time;
    delete branch.status.purge_time;
    this.schedule(branch);
    this.#tables?.resume(branch.name);
    await this.#deps.ctx.save();
  }

  async purge(branch: BranchRecord): Promise<void> {
    const { ctx, computes, clusters } = this.#deps;
    const { postgres, state } = ctx;
    this.#clear(branch.name);
    for (const endpoint of Object.values(postgres.endpoints)) {
      if (endpoint.parent !== branch.name) continue;
      delete postgres.endpoints[endpoint.name];
      this.#deps.doors.closeConnections(endpoint.name);
      await computes.remove(endpoint.name);
    }
    for (const map of [postgres.databases, postgres.roles]) {
      for (const [name, record] of Object.entries(map)) if (record.parent === branch.name) delete map[name];
    }
    await this.#tables?.forget(branch.name);
    for (const [name, catalog] of Object.entries(state.catalogs)) {
      if (catalog.branch === branch.name) delete state.catalogs[name];
    }
    delete postgres.branches[branch.name];
    await clusters.remove(branch.name, true);
    await ctx.save();
    ctx.log({ event: "branch_deleted", branch: branch.name, purge: true });
  }

  async softDeleteProject(project: ProjectRecord): Promise<void> {
    const time = new Date();
    project.delete_time = time.toISOString();
    project.purge_time = new Date(time.getTime() + PURGE_AFTER_MS).toISOString();
    for (const branch of this.#branchesOf(project)) {
      if (branch.status.current_state !== "DELETED") await this.softDelete(branch);
    }
    this.#arm(project.name, project.purge_time, () => this.purgeProject(project));
    await this.#deps.ctx.save();
  }

  async undeleteProject(project: ProjectRecord): Promise<void> {
    this.#clear(project.name);
    const deletedAt = project.delete_time;
    delete project.delete_time;
    delete project.purge_time;
    // Branches deleted with the project come back with it; those deleted before stay deleted.
    for (const branch of this.#branchesOf(project)) {
      if (branch.status.delete_time === deletedAt) await this.undelete(branch);
    }
    await this.#deps.ctx.save();
  }

  async purgeProject(project: ProjectRecord): Promise<void> {
    this.#clear(project.name);
    // A new instance of the project's name gets its primary endpoint's port (clients keep their PGPORT).
    await this.#deps.doors.handOver(
      `${project.status.default_branch}/endpoints/${PRIMARY_ENDPOINT}`,
      project.project_id,
    );
    for (const branch of this.#branchesOf(project)) await this.purge(branch);
    delete this.#deps.ctx.postgres.projects[project.name];
    await this.#deps.ctx.save();
    this.#deps.ctx.log({ event: "project_deleted", project: project.name });
  }

  /** Arms the branch's expiry (a live branch) or purge (a deleted one) timer. */
  schedule(branch: BranchRecord): void {
    this.#clear(branch.name);
    const { status } = branch;
    if (status.current_state === "DELETED" && status.purge_time) {
      this.#arm(branch.name, status.purge_time, () => this.purge(branch));
    } else if (status.current_state === "READY" && status.expire_time) {
      this.#arm(branch.name, status.expire_time, async () => {
        this.#deps.ctx.log({ event: "branch_expired", branch: branch.name });
        await this.softDelete(branch);
      });
    }
  }

  stopAll(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  /** Its endpoints stop taking connections and its compute goes to zero; its data stays. */
  async #quiesce(branch: BranchRecord): Promise<void> {
    // Its synced tables' pipelines stop first: they would wake the compute again.
    await this.#tables?.pause(branch.name);
    for (const endpoint of Object.values(this.#deps.ctx.postgres.endpoints)) {
      if (endpoint.parent !== branch.name) continue;
      this.#deps.doors.closeConnections(endpoint.name);
      await this.#deps.computes.remove(endpoint.name);
    }
    await this.#deps.clusters.get(branch.name)?.suspend();
  }

  #branchesOf(project: ProjectRecord): BranchRecord[] {
    return Object.values(this.#deps.ctx.postgres.branches).filter((b) => b.parent === project.name);
  }

  #arm(key: string, at: string, fire: () => Promise<void>): void {
    this.#clear(key);
    const delay = Math.max(0, Date.parse(at) - Date.now());
    const timer = setTimeout(
      () => {
        this.#timers.delete(key);
        if (this.#deps.ctx.stopped) return;
        if (delay > MAX_TIMER_MS) {
          this.#arm(key, at, fire);
          return;
        }
        fire().catch((error: unknown) =>
          this.#deps.ctx.log({ event: "lifecycle_error", resource: key, error: (error as Error).message }),
        );
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    timer.unref();
    this.#timers.set(key, timer);
  }

  #clear(key: string): void {
    const timer = this.#timers.get(key);
    if (timer) clearTimeout(timer);
    this.#timers.delete(key);
  }
}
