import { isLsn } from "@lakebase-orders/pg-local";
import { page } from "../../database-api/paging.ts";
import type { BranchRecord } from "../../state/postgres-records.ts";
import type { PostgresDeps } from "../deps.ts";
import { parseDuration, parseTimestamp } from "../durations.ts";
import { alreadyExists, badRequest, invalid, managedByParent, requiredId } from "../errors.ts";
import { branchJson } from "../json.ts";
import { checkUpdateMask } from "../masks.ts";
import { branchName, checkId, PRIMARY_ENDPOINT } from "../names.ts";
import { endpointSettings, newBranch, newEndpoint, reparented, stamp } from "../new-records.ts";
import type { OperationJson } from "../operations.ts";
import { type BranchSpec, branchBodySchema } from "../schemas.ts";
import type { Lifecycle } from "./lifecycle.ts";

const MASKS = ["spec", "spec.is_protected", "spec.expiration"];

/**
 * Branches: a new branch is a real copy of its parent (default: the project's default branch) as of now,
 * or as of `source_branch_time` / `source_branch_lsn` within the history window, on a cluster of its own
 * with its own primary endpoint; it inherits its parent's databases and roles. Exactly one of `ttl`,
 * `expire_time`, `no_expiry`. Deletes are soft unless `purge=true`; the root branch and protected branches
 * cannot be deleted.
 */
export class Branches {
  readonly #deps: PostgresDeps;
  readonly #lifecycle: Lifecycle;

  constructor(deps: PostgresDeps, lifecycle: Lifecycle) {
    this.#deps = deps;
    this.#lifecycle = lifecycle;
  }

  async create(
    identity: string,
    parent: string,
    branchId: string | undefined,
    body: unknown,
    replaceExisting: boolean,
  ): Promise<OperationJson> {
    const { ctx, access, operations } = this.#deps;
    if (!branchId) throw requiredId("branch_id");
    const project = access.project(parent);
    checkId(branchId, "branch_id");
    access.require(identity, parent, "CAN_MANAGE");
    if (project.delete_time) throw badRequest(`${parent} is deleted`);
    const spec = branchBodySchema.parse(body ?? {}).spec ?? {};
    const name = branchName(parent, branchId);
    const existing = ctx.postgres.branches[name];
    if (existing && !replaceExisting) throw alreadyExists("branch with such id already exists");
    if (existing) {
      applyExpiration(existing, spec, false);
      if (spec.is_protected !== undefined) existing.status.is_protected = spec.is_protected;
      stamp(existing);
      this.#lifecycle.schedule(existing);
      await ctx.save();
      return operations.start(name, "Branch", () => branchJson(existing));
    }

    const source = access.branch(spec.source_branch ?? project.status.default_branch);
    if (source.parent !== parent) throw invalid(`Field 'spec.source_branch' must be a branch of ${parent}.`);
    if (source.status.current_state !== "READY") {
      throw badRequest(`Source branch '${source.name}' is not READY (${source.status.current_state}).`);
    }
    const at = await this.#pointIn(source, spec, project.status.history_retention_duration);
    const branch = newBranch(project, branchId, {
      isProtected: spec.is_protected ?? false,
      sourceBranch: source.name,
      sourceTime: at instanceof Date ? at.toISOString() : new Date().toISOString(),
    });
    applyExpiration(branch, spec, true);
    const primary = newEndpoint(
      branch,
      PRIMARY_ENDPOINT,
      "ENDPOINT_TYPE_READ_WRITE",
      endpointSettings(undefined, project.status.default_endpoint_settings),
      { implicit: true },
    );
    const { postgres } = ctx;
    postgres.branches[name] = branch;
    postgres.endpoints[primary.name] = primary;
    // What the copy holds: the parent's databases and roles, as records of the child.
    for (const map of [postgres.databases, postgres.roles] as const) {
      for (const record of Object.values(map)) {
        if (record.parent !== source.name) continue;
        const copy = reparented(record, source.name, name);
        (map as Record<string, typeof copy>)[copy.name] = copy;
      }
    }
    if (spec.source_branch_lsn) branch.status.source_branch_lsn = spec.source_branch_lsn.toUpperCase();
    ctx.log({ event: "branch_creating", branch: name, source: source.name, at: at ?? "head" });

    return operations.start(name, "Branch", async () => {
      const started = Date.now();
      try {
        await this.#deps.doors.ensure(primary.name);
        const { forkLsn } = await this.#deps.clusters.createChild(name, branch.uid, source.name, at);
        branch.status.source_branch_lsn ??= forkLsn;
        this.#lifecycle.ready(branch);
        await this.#deps.computes.start(primary);
        await ctx.save();
        ctx.log({ event: "branch_created", branch: name, ms: Date.now() - started });
        return branchJson(branch);
      } catch (error) {
        await this.#lifecycle.purge(branch).catch(() => undefined);
        throw error;
      }
    });
  }

  get(name: string) {
    return branchJson(this.#deps.access.branch(name));
  }

  list(parent: string, query: { page_size?: string; page_token?: string; show_deleted?: string }) {
    this.#deps.access.project(parent);
    const names = Object.values(this.#deps.ctx.postgres.branches)
      .filter(
        (b) => b.parent === parent && (query.show_deleted === "true" || b.status.current_state !== "DELETED"),
      )
      .map((b) => b.name)
      .sort();
    const { items, next } = page(names, query.page_size, query.page_token);
    return { branches: items.map((n) => this.get(n)), ...(next ? { next_page_token: next } : {}) };
  }

  async update(
    identity: string,
    name: string,
    mask: string | undefined,
    body: unknown,
  ): Promise<OperationJson> {
    const branch = this.#deps.access.branch(name);
    this.#deps.access.require(identity, name, "CAN_MANAGE");
    const paths = checkUpdateMask(mask, MASKS, body);
    const spec = branchBodySchema.parse(body ?? {}).spec ?? {};
    const whole = paths.includes("spec");
    if ((whole || paths.includes("spec.is_protected")) && spec.is_protected !== undefined) {
      branch.status.is_protected = spec.is_protected;
    }
    if (whole || paths.includes("spec.expiration")) applyExpiration(branch, spec, !whole);
    stamp(branch);
    this.#lifecycle.schedule(branch);
    await this.#deps.ctx.save();
    return this.#deps.operations.start(name, "Branch", () => branchJson(branch));
  }

  delete(identity: string, name: string, query: { purge?: string; allow_missing?: string }): OperationJson {
    const { access, operations, ctx } = this.#deps;
    const missing = !ctx.postgres.branches[name];
    if (missing && query.allow_missing === "true") {
      access.project(name.split("/").slice(0, 2).join("/"));
      return operations.start(name, "Branch", () => undefined);
    }
    const branch = access.branch(name);
    access.require(identity, name, "CAN_MANAGE");
    if (branch.root) {
      throw managedByParent(
        `Cannot delete root branch '${name}'. Root branches cannot be deleted independently.`,
      );
    }
    if (branch.status.is_protected) throw badRequest("cannot delete protected branch");
    if (branch.status.default) throw badRequest(`cannot delete the default branch '${name}'`);
    const purge = query.purge === "true";
    return operations.start(name, "Branch", async () => {
      if (purge) await this.#lifecycle.purge(branch);
      else if (branch.status.current_state !== "DELETED") await this.#lifecycle.softDelete(branch);
      return undefined;
    });
  }

  undelete(identity: string, name: string): OperationJson {
    const branch = this.#deps.access.branch(name);
    this.#deps.access.require(identity, name, "CAN_MANAGE");
    if (branch.status.current_state !== "DELETED") throw badRequest(`${name} is not deleted`);
    if (this.#deps.ctx.postgres.projects[branch.parent]?.delete_time) {
      throw badRequest(`${branch.parent} is deleted: undelete the project`);
    }
    return this.#deps.operations.start(name, "Branch", async () => {
      await this.#lifecycle.undelete(branch);
      return branchJson(branch);
    });
  }

  /** The point to branch at: undefined (head), a time or an LSN, checked against the history window. */
  async #pointIn(
    source: BranchRecord,
    spec: BranchSpec,
    retention: string,
  ): Promise<Date | { lsn: string } | undefined> {
    if (spec.source_snapshot)
      throw invalid("Branching from a snapshot is not supported by the local Lakebase.");
    if (spec.source_branch_time && spec.source_branch_lsn) {
      throw invalid("Only one of 'spec.source_branch_time' and 'spec.source_branch_lsn' may be set.");
    }
    if (spec.source_branch_lsn !== undefined) {
      if (!isLsn(spec.source_branch_lsn)) {
        throw invalid(
          `Field 'spec.source_branch_lsn' is not an LSN (like 16/B374D848): ${spec.source_branch_lsn}`,
        );
      }
      await this.#inWindow(source, undefined);
      return { lsn: spec.source_branch_lsn.toUpperCase() };
    }
    if (spec.source_branch_time === undefined) return undefined;
    const time = parseTimestamp(spec.source_branch_time, "spec.source_branch_time");
    if (time.getTime() > Date.now()) throw invalid("Field 'spec.source_branch_time' is in the future.");
    const oldest = Date.now() - parseDuration(retention, "history_retention_duration") * 1000;
    if (time.getTime() < oldest) {
      throw invalid(
        `Field 'spec.source_branch_time' (${time.toISOString()}) is outside the project's history retention window (${retention}).`,
      );
    }
    await this.#inWindow(source, time);
    return time;
  }

  async #inWindow(source: BranchRecord, time: Date | undefined): Promise<void> {
    const window = await this.#deps.clusters.history(source.name);
    if (!window) throw invalid(`Branch '${source.name}' has no history yet to branch from in the past.`);
    if (time && time.getTime() < window.from.getTime()) {
      throw invalid(
        `Field 'spec.source_branch_time' (${time.toISOString()}) is before the history of '${source.name}', which starts at ${window.from.toISOString()}.`,
      );
    }
  }
}

/** Exactly one of ttl, expire_time, no_expiry (required at create; with `spec.expiration` when updating). */
function applyExpiration(branch: BranchRecord, spec: BranchSpec, required: boolean): void {
  const given = [spec.ttl, spec.expire_time, spec.no_expiry].filter((v) => v !== undefined).length;
  if (given === 0 && !required) return;
  if (given !== 1) {
    throw invalid("Exactly one of 'spec.ttl', 'spec.expire_time' and 'spec.no_expiry' must be set.");
  }
  if (spec.no_expiry === false) throw invalid("Field 'spec.no_expiry' may only be true.");
  let expire: Date | undefined;
  if (spec.ttl !== undefined) expire = new Date(Date.now() + parseDuration(spec.ttl, "spec.ttl") * 1000);
  if (spec.expire_time !== undefined) expire = parseTimestamp(spec.expire_time, "spec.expire_time");
  if (expire && expire.getTime() <= Date.now()) throw invalid("The branch would expire in the past.");
  if (branch.root && expire) throw invalid("The root branch cannot expire.");
  if (expire) branch.status.expire_time = expire.toISOString();
  else delete branch.status.expire_time;
}
