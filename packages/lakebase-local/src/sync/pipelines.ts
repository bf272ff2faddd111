import { randomUUID } from "node:crypto";
import { withClient } from "@lakebase-orders/pg-local";
import { invalidParameter, LakebaseApiError, notFound, permissionDenied } from "../api-error.ts";
import type { LockHold } from "../faults.ts";
import type { ServiceContext } from "../state/context.ts";
import { LockHolders } from "./lock-holders.ts";
import { ensureWriterRole, qualified, removeManagers } from "./ownership.ts";
import {
  type StartUpdateRequest,
  type UpdateCause,
  updateInfoJson,
  updateStateInfoJson,
} from "./pipeline-updates.ts";
import { Source } from "./source/source.ts";
import type { SpecProblem, SyncSpec } from "./spec.ts";
import { isOnline, isProvisioning, newSyncState, type SyncState } from "./sync-state.ts";
import { TableSync } from "./table-sync.ts";
import { postgresTableOf, type SyncTarget } from "./target.ts";
import { type Member, type PipelineRuntime, UpdateRunner } from "./update-runner.ts";

const conflict = (message: string) => new LakebaseApiError(409, "RESOURCE_CONFLICT", message);

/**
 * The sync pipelines of every synced table, whatever API created it: the initial snapshot, updates
 * requested through the Pipelines API (`POST /api/2.0/pipelines/{id}/updates`), CONTINUOUS pipelines that
 * apply the source's changes on their own every `continuousIntervalMs`, and the source itself.
 * A flavour hands in a SyncTarget and keeps the SyncState this returns in its own record.
 */
export class Pipelines {
  readonly source: Source;
  readonly #ctx: ServiceContext;
  readonly #sync: TableSync;
  readonly #runner: UpdateRunner;
  readonly #members = new Map<string, Member>();
  readonly #pipelines = new Map<string, PipelineRuntime>();
  readonly #locks = new LockHolders();

  constructor(ctx: ServiceContext) {
    this.#ctx = ctx;
    const { deps } = ctx;
    this.source = new Source(ctx.cluster, sourceDatabaseName(ctx.state.localId), deps.sourceRows);
    this.#sync = new TableSync({
      source: this.source,
      faults: deps.faults,
      stepMs: deps.timings.pipelineStepMs,
      batchRows: deps.syncBatchRows,
      save: () => ctx.save(),
      log: (event) => ctx.log(event),
    });
    this.#runner = new UpdateRunner(ctx, this.#sync);
    deps.faults.bindLockHolder((name, ms) => this.holdLock(name, ms));
  }

  /** A problem with `existing_pipeline_id` for a table of this policy, if any. */
  checkExistingPipeline(pipelineId: string, policy: SyncSpec["scheduling_policy"]): SpecProblem | undefined {
    const pipeline = this.#pipelines.get(pipelineId);
    if (!pipeline) return { kind: "invalid", message: `Pipeline '${pipelineId}' does not exist.` };
    const continuous = [...pipeline.members.values()].some((m) => m.state.scheduling_policy === "CONTINUOUS");
    if (continuous !== (policy === "CONTINUOUS")) {
      return {
        kind: "invalid",
        message: `Pipeline '${pipelineId}' runs ${continuous ? "continuously" : "when triggered"}; a ${policy} synced table cannot join it.`,
      };
    }
    return undefined;
  }

  /** A new synced table: registers it on its pipeline (new, or `existingPipelineId`) and starts its initial snapshot. */
  create(input: {
    name: string;
    target: SyncTarget;
    spec: SyncSpec;
    creator: string;
    existingPipelineId?: string | undefined;
  }): SyncState {
    const state = newSyncState({
      pipelineId: input.existingPipelineId ?? randomUUID(),
      policy: input.spec.scheduling_policy,
      primaryKey: input.spec.primary_key_columns,
      indexes: input.spec.extra_index_definitions ?? [],
      creator: input.creator,
    });
    const member = this.#register(input.name, state, input.target);
    this.#startInitial(member, "API_CALL");
    return state;
  }

  /** After a restart: the table's pipeline resumes (an interrupted initial snapshot starts over). */
  attach(name: string, state: SyncState, target: SyncTarget): void {
    const member = this.#register(name, state, target);
    if (state.detailed_state === "SYNCED_TABLE_ONLINE_TRIGGERED_UPDATE") {
      // The update died with the process; its committed batches stay, the next update resumes after them.
      state.detailed_state = "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE";
      state.message = "Synced table is online; no pending updates.";
    }
    delete state.update_progress;
    delete state.full_refresh_running;
    if (isProvisioning(state)) this.#startInitial(member, "INFRASTRUCTURE_MAINTENANCE");
    else if (state.scheduling_policy === "CONTINUOUS" && isOnline(state) && !state.continuous_stopped) {
      this.#ensureContinuous(member.pipeline, "INFRASTRUCTURE_MAINTENANCE");
    }
  }

  /** Resolves when the work asked of the table so far is done (or at once when none is). */
  async wait(name: string): Promise<void> {
    const member = this.#members.get(name);
    while (member && member.pending.size > 0) await Promise.all([...member.pending]);
  }

  /** Stops the table's pipeline work and forgets it (its database is about to go, or the table was deleted). */
  async cancel(name: string): Promise<void> {
    const member = this.#members.get(name);
    if (!member) return;
    this.#members.delete(name);
    const pipeline = member.pipeline;
    pipeline.members.delete(name);
    member.controller.abort(new Error("synced table deleted"));
    let ended: Promise<void> | undefined;
    if (pipeline.members.size === 0) {
      ended = pipeline.active?.done;
      pipeline.active?.controller.abort(new Error("pipeline deleted"));
      this.#pipelines.delete(pipeline.id);
    }
    // The table's running work ends at once (its session is closed); an update busy with other tables of a
    // shared pipeline goes on without it.
    await Promise.allSettled([member.chain, ended]);
  }

  /** Deleting a synced table; with `purgeData` its Postgres table goes too (and its managers with it). */
  async delete(name: string, purge: { target: SyncTarget } | undefined): Promise<void> {
    await this.cancel(name);
    if (!purge) return;
    const ref = postgresTableOf(name);
    await withClient(await purge.target.connectionString(), async (client) => {
      await client.query(`DROP TABLE IF EXISTS ${qualified(ref)}`);
      await removeManagers(client, ref, await ensureWriterRole(client));
    });
  }

  // ---- Pipelines API ----

  startUpdate(identity: string, pipelineId: string, request: StartUpdateRequest): { update_id: string } {
    const pipeline = this.#pipeline(pipelineId);
    this.#requireManage(identity, pipeline);
    if (pipeline.active) {
      throw conflict(
        `An active update ${pipeline.active.record.update_id} already exists for pipeline ${pipelineId}.`,
      );
    }
    const names = [...pipeline.members.keys()];
    for (const table of [...(request.refresh_selection ?? []), ...(request.full_refresh_selection ?? [])]) {
      if (!names.includes(table))
        throw invalidParameter(`Table '${table}' is not part of pipeline ${pipelineId}.`);
    }
    const selected = [...(request.refresh_selection ?? []), ...(request.full_refresh_selection ?? [])];
    const scope = selected.length > 0 ? names.filter((n) => selected.includes(n)) : names;
    const full = new Set(request.full_refresh ? scope : (request.full_refresh_selection ?? []));
    const record = this.#runner.newUpdate(pipeline, request.cause ?? "API_CALL", {
      full_refresh: request.full_refresh ?? false,
      ...(request.refresh_selection ? { refresh_selection: request.refresh_selection } : {}),
      ...(request.full_refresh_selection ? { full_refresh_selection: request.full_refresh_selection } : {}),
      ...(request.validate_only ? { validate_only: true } : {}),
    });
    if (this.#runner.isContinuous(pipeline)) {
      for (const m of pipeline.members.values()) delete m.state.continuous_stopped;
    }
    this.#runner.launch(pipeline, record, scope, full);
    this.#ctx.log({
      event: "pipeline_update_started",
      pipeline: pipelineId,
      update: record.update_id,
      by: identity,
    });
    return { update_id: record.update_id };
  }

  getUpdate(pipelineId: string, updateId: string) {
    const record = this.#pipeline(pipelineId).updates.find((u) => u.update_id === updateId);
    if (!record) throw notFound(`Update '${updateId}' does not exist in pipeline '${pipelineId}'.`);
    return { update: updateInfoJson(record) };
  }

  listUpdates(pipelineId: string, maxResults: string | undefined, pageToken: string | undefined) {
    const updates = this.#pipeline(pipelineId).updates;
    const size = Math.min(100, Math.max(1, Number(maxResults) || 25));
    const start = Math.max(0, Number(pageToken) || 0);
    const page = updates.slice(start, start + size);
    return {
      updates: page.map(updateInfoJson),
      ...(start + size < updates.length ? { next_page_token: String(start + size) } : {}),
      ...(start > 0 ? { prev_page_token: String(Math.max(0, start - size)) } : {}),
    };
  }

  getPipeline(pipelineId: string) {
    const pipeline = this.#pipeline(pipelineId);
    const last = pipeline.updates[0];
    const continuous = this.#runner.isContinuous(pipeline);
    const [first] = pipeline.members.keys();
    return {
      pipeline_id: pipeline.id,
      name: `synced table pipeline ${first ?? pipeline.id}`,
      state: pipeline.active ? "RUNNING" : "IDLE",
      health: last?.state === "FAILED" ? "UNHEALTHY" : "HEALTHY",
      creator_user_name: pipeline.creator,
      run_as_user_name: pipeline.creator,
      latest_updates: pipeline.updates.slice(0, 5).map(updateStateInfoJson),
      spec: { id: pipeline.id, continuous, serverless: true },
    };
  }

  /** Cancels the active update (a CONTINUOUS pipeline stays stopped until an update is started). */
  async stopPipeline(identity: string, pipelineId: string): Promise<Record<string, never>> {
    const pipeline = this.#pipeline(pipelineId);
    this.#requireManage(identity, pipeline);
    const active = pipeline.active;
    if (!active) return {};
    active.record.state = "STOPPING";
    if (active.continuous) {
      for (const m of pipeline.members.values()) {
        m.state.continuous_stopped = true;
        m.state.message = "The pipeline is stopped; start an update to resume syncing.";
      }
    }
    active.controller.abort(new Error("pipeline stopped"));
    await active.done;
    await this.#ctx.save();
    return {};
  }

  /** Holds an ACCESS EXCLUSIVE lock on the synced table's Postgres table for `ms` (a fault switch). */
  async holdLock(name: string, ms: number): Promise<LockHold> {
    const member = this.#members.get(name);
    if (!member) throw notFound(`Synced table '${name}' does not exist.`);
    try {
      return await this.#locks.hold(await member.target.connectionString(), member.ref, ms);
    } catch (error) {
      if ((error as { code?: unknown }).code !== "42P01") throw error;
      throw notFound(`Synced table '${name}' has no Postgres table yet.`);
    }
  }

  /** Shutting down: every update, loop and held lock ends; the source's connections close. */
  async stop(): Promise<void> {
    for (const name of [...this.#members.keys()]) await this.cancel(name);
    await this.#locks.releaseAll();
    await this.source.close();
  }

  // ---- internals ----

  #register(name: string, state: SyncState, target: SyncTarget): Member {
    let pipeline = this.#pipelines.get(state.pipeline_id);
    if (!pipeline) {
      pipeline = {
        id: state.pipeline_id,
        creator: state.creator,
        members: new Map(),
        updates: [],
        active: undefined,
      };
      this.#pipelines.set(pipeline.id, pipeline);
    }
    const member: Member = {
      name,
      ref: postgresTableOf(name),
      state,
      target,
      pipeline,
      controller: new AbortController(),
      chain: Promise.resolve(),
      pending: new Set(),
    };
    this.#members.set(name, member);
    pipeline.members.set(name, member);
    return member;
  }

  /**
   * The initial snapshot: as the pipeline's update when it is idle, else beside the running update (a table
   * joining a shared pipeline), in the table's own queue.
   */
  #startInitial(member: Member, cause: UpdateCause): void {
    const pipeline = member.pipeline;
    if (!pipeline.active) {
      this.#runner.launch(
        pipeline,
        this.#runner.newUpdate(pipeline, cause, { full_refresh: false }),
        [member.name],
        new Set(),
      );
      return;
    }
    const continuous = pipeline.active.continuous;
    void this.#runner.enqueue(member, (signal) => this.#sync.initial(member, signal, continuous));
  }

  #ensureContinuous(pipeline: PipelineRuntime, cause: UpdateCause): void {
    if (pipeline.active) return;
    const record = this.#runner.newUpdate(pipeline, cause, { full_refresh: false });
    this.#runner.launch(pipeline, record, [...pipeline.members.keys()], new Set());
  }

  #pipeline(pipelineId: string): PipelineRuntime {
    const pipeline = this.#pipelines.get(pipelineId);
    if (!pipeline) throw notFound(`The pipeline ${pipelineId} does not exist.`);
    return pipeline;
  }

  #requireManage(identity: string, pipeline: PipelineRuntime): void {
    if ([...pipeline.members.values()].some((m) => m.target.canManage(identity))) return;
    throw permissionDenied(
      `User ${identity} does not have CAN_MANAGE permission on pipeline ${pipeline.id}.`,
    );
  }
}

/** The source's own database on the cluster (dropped with the others of this LakebaseLocal on stop). */
export function sourceDatabaseName(localId: string): string {
  return `lb_${localId}__source`;
}
