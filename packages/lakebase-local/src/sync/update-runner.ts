import { randomUUID } from "node:crypto";
import type { ServiceContext } from "../state/context.ts";
import { pause } from "./connection.ts";
import { FINAL_STATES, type UpdateCause, type UpdateRecord, type UpdateState } from "./pipeline-updates.ts";
import { isProvisioning } from "./sync-state.ts";
import type { SyncedMember, TableSync } from "./table-sync.ts";

export interface Member extends SyncedMember {
  pipeline: PipelineRuntime;
  /** Aborted when the synced table is deleted (or its instance). */
  controller: AbortController;
  /** The table's work, one piece at a time (an update's pass, a continuous tick, a lone initial snapshot). */
  chain: Promise<unknown>;
  /** Work asked of this table and not done yet (waitForPipeline). */
  pending: Set<Promise<void>>;
}

export interface ActiveUpdate {
  record: UpdateRecord;
  controller: AbortController;
  continuous: boolean;
  done: Promise<void>;
}

export interface PipelineRuntime {
  id: string;
  creator: string;
  members: Map<string, Member>;
  /** Newest first, at most MAX_UPDATES (in memory: gone after a restart). */
  updates: UpdateRecord[];
  active: ActiveUpdate | undefined;
}

const MAX_UPDATES = 100;

/**
 * How a pipeline's updates run: an update's states (as `GET .../updates/{id}` shows them), one pass over the
 * tables in scope (each in its own queue, so a table never has two pieces of work at once), and for a
 * CONTINUOUS pipeline the loop that applies what the source gained every `continuousIntervalMs` until the
 * update is stopped.
 */
export class UpdateRunner {
  readonly #ctx: ServiceContext;
  readonly #sync: TableSync;

  constructor(ctx: ServiceContext, sync: TableSync) {
    this.#ctx = ctx;
    this.#sync = sync;
  }

  newUpdate(
    pipeline: PipelineRuntime,
    cause: UpdateCause,
    fields: Pick<UpdateRecord, "full_refresh"> & Partial<UpdateRecord>,
  ): UpdateRecord {
    const record: UpdateRecord = {
      update_id: randomUUID(),
      pipeline_id: pipeline.id,
      state: "CREATED",
      cause,
      creation_time: Date.now(),
      ...fields,
    };
    pipeline.updates.unshift(record);
    pipeline.updates.length = Math.min(pipeline.updates.length, MAX_UPDATES);
    return record;
  }

  /** Runs an update in the background; the tables in scope count as pending until their pass is done. */
  launch(pipeline: PipelineRuntime, record: UpdateRecord, scope: string[], full: Set<string>): void {
    const controller = new AbortController();
    const continuous = this.isContinuous(pipeline);
    const passes = new Map<string, () => void>();
    for (const name of scope) {
      const member = pipeline.members.get(name);
      if (!member) continue;
      let resolve: () => void = () => undefined;
      this.#track(
        member,
        new Promise<void>((r) => {
          resolve = r;
        }),
      );
      passes.set(name, resolve);
    }
    const done = this.#execute(pipeline, record, controller.signal, continuous, scope, full, passes)
      .catch((error: unknown) => {
        record.state = "FAILED";
        this.#ctx.log({
          event: "pipeline_update_error",
          pipeline: pipeline.id,
          error: (error as Error).message,
        });
      })
      .finally(() => {
        for (const resolve of passes.values()) resolve();
        if (pipeline.active?.record === record) pipeline.active = undefined;
      });
    pipeline.active = { record, controller, continuous, done };
  }

  async #execute(
    pipeline: PipelineRuntime,
    record: UpdateRecord,
    signal: AbortSignal,
    continuous: boolean,
    scope: string[],
    full: Set<string>,
    passes: Map<string, () => void>,
  ): Promise<void> {
    const step = this.#ctx.deps.timings.pipelineStepMs;
    const states: UpdateState[] = ["WAITING_FOR_RESOURCES", "INITIALIZING"];
    if (full.size > 0) states.push("RESETTING");
    states.push("SETTING_UP_TABLES");
    try {
      for (const state of states) {
        record.state = state;
        await pause(step, signal);
      }
      record.state = "RUNNING";
      if (record.validate_only) {
        record.state = "COMPLETED";
        return;
      }
      let ok = true;
      for (const name of scope) {
        const member = pipeline.members.get(name);
        if (member) ok = (await this.#pass(member, signal, { full: full.has(name), continuous })) && ok;
        passes.get(name)?.();
        signal.throwIfAborted();
      }
      if (!continuous) {
        record.state = ok ? "COMPLETED" : "FAILED";
        this.#ctx.log({
          event: "pipeline_update_finished",
          pipeline: pipeline.id,
          update: record.update_id,
          state: record.state,
        });
        return;
      }
      // A CONTINUOUS pipeline's update runs until stopped: every interval it applies what the source gained.
      const interval = this.#ctx.deps.timings.continuousIntervalMs;
      for (;;) {
        await pause(interval, signal);
        for (const member of [...pipeline.members.values()]) {
          let resolve: () => void = () => undefined;
          this.#track(
            member,
            new Promise<void>((r) => {
              resolve = r;
            }),
          );
          try {
            // A failure is in the table's state already; the loop goes on and retries at the next interval.
            await this.#pass(member, signal, { full: false, continuous: true }).catch(() => false);
          } finally {
            resolve();
          }
          signal.throwIfAborted();
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error;
      if (!FINAL_STATES.includes(record.state)) record.state = "CANCELED";
    }
  }

  /** One table's part of an update, in the table's own queue. */
  #pass(
    member: Member,
    updateSignal: AbortSignal,
    options: { full: boolean; continuous: boolean },
  ): Promise<boolean> {
    return this.enqueue(
      member,
      (signal) => {
        const s = member.state;
        if (isProvisioning(s) || s.detailed_state === "SYNCED_TABLE_OFFLINE_FAILED") {
          return this.#sync.initial(member, signal, options.continuous);
        }
        if (options.full || s.scheduling_policy === "SNAPSHOT")
          return this.#sync.refresh(member, signal, options);
        return this.#sync.incremental(member, signal, { continuous: options.continuous });
      },
      updateSignal,
    );
  }

  enqueue(
    member: Member,
    work: (signal: AbortSignal) => Promise<boolean>,
    also?: AbortSignal,
  ): Promise<boolean> {
    const signal = also ? AbortSignal.any([member.controller.signal, also]) : member.controller.signal;
    const run = member.chain.then(() => (signal.aborted ? false : work(signal)));
    member.chain = run.catch(() => undefined);
    if (!also)
      this.#track(
        member,
        run.then(
          () => undefined,
          () => undefined,
        ),
      );
    return run;
  }

  #track(member: Member, work: Promise<void>): void {
    member.pending.add(work);
    void work.finally(() => member.pending.delete(work));
  }

  isContinuous(pipeline: PipelineRuntime): boolean {
    return [...pipeline.members.values()].some((m) => m.state.scheduling_policy === "CONTINUOUS");
  }
}
