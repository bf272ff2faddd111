import type { FrontDoors } from "../compute/front-doors.ts";
import type { ServiceContext } from "../state/context.ts";
import type { InstanceRecord } from "../state/records.ts";
import type { Pipelines } from "../sync/pipelines.ts";

/**
 * The instance state machine: STARTING/UPDATING -> AVAILABLE after `instanceStartMs`, STOPPED at once,
 * DELETING -> gone after `instanceDeleteMs`. Every transition bumps the instance's generation, so a timer
 * left by an earlier transition (a start overtaken by a stop) does nothing when it fires.
 */
export class Transitions {
  readonly #ctx: ServiceContext;
  readonly #frontDoors: FrontDoors;
  readonly #pipelines: Pipelines;
  readonly #generation = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #background = new Set<Promise<unknown>>();

  constructor(ctx: ServiceContext, frontDoors: FrontDoors, pipelines: Pipelines) {
    this.#ctx = ctx;
    this.#frontDoors = frontDoors;
    this.#pipelines = pipelines;
  }

  /** Starts a new generation for the instance (invalidating every pending timer of the old one). */
  bump(name: string): number {
    const next = (this.#generation.get(name) ?? 0) + 1;
    this.#generation.set(name, next);
    return next;
  }

  /** STARTING until both the timer and the physical databases are done, then AVAILABLE. */
  start(name: string): void {
    const record = this.#ctx.instance(name);
    record.state = "STARTING";
    const generation = this.bump(name);
    const databases = Promise.all(
      record.databases.map((db) => this.#ctx.cluster.createDatabase(this.#ctx.physical(name, db))),
    );
    this.#track(databases);
    this.#after(name, this.#ctx.deps.timings.instanceStartMs, async () => {
      await databases;
      if (this.#generation.get(name) === generation && record.state === "STARTING") {
        record.state = "AVAILABLE";
        this.#ctx.log({ event: "instance_available", instance: name });
      }
    });
  }

  /** A resize is an UPDATING phase on the service; connections stay up. */
  resize(record: InstanceRecord): void {
    if (record.state !== "AVAILABLE") return;
    record.state = "UPDATING";
    this.#after(record.name, this.#ctx.deps.timings.instanceStartMs, () => {
      if (record.state === "UPDATING") record.state = "AVAILABLE";
    });
  }

  /** STOPPED at once: every open connection is cut, like compute going away. */
  stop(record: InstanceRecord): void {
    record.stopped = true;
    record.state = "STOPPED";
    this.bump(record.name);
    this.#frontDoors.closeConnections(record.name);
    this.#ctx.log({ event: "instance_stopped", instance: record.name });
  }

  /** DELETING now (connections cut, pipelines cancelled), gone after `instanceDeleteMs`. */
  async delete(record: InstanceRecord): Promise<void> {
    record.state = "DELETING";
    this.bump(record.name);
    this.#frontDoors.closeConnections(record.name);
    for (const table of Object.values(this.#ctx.state.syncedTables)) {
      if (table.database_instance_name === record.name) await this.#pipelines.cancel(table.name);
    }
    await this.#ctx.save();
    this.#after(record.name, this.#ctx.deps.timings.instanceDeleteMs, () => this.#drop(record));
    this.#ctx.log({ event: "instance_deleting", instance: record.name });
  }

  /** After a restart: finish what was in flight when the state was saved. */
  resume(record: InstanceRecord): Promise<void> | undefined {
    this.bump(record.name);
    if (record.state === "DELETING") {
      this.#after(record.name, 0, () => this.#drop(record));
    } else if (record.state === "STARTING" || record.state === "UPDATING") {
      this.start(record.name);
    } else {
      // Physical databases survive in the kept cluster; re-create any that went missing.
      return Promise.all(
        record.databases.map((db) => this.#ctx.cluster.createDatabase(this.#ctx.physical(record.name, db))),
      ).then(() => undefined);
    }
    return undefined;
  }

  /** Cancels every pending transition and waits for the background work already running. */
  async stopAll(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled([...this.#background]);
  }

  /** Runs `fn` after `ms` unless the instance moved on to another transition meanwhile. */
  #after(name: string, ms: number, fn: () => void | Promise<void>): void {
    const generation = this.#generation.get(name);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#ctx.stopped || this.#generation.get(name) !== generation) return;
      this.#track(
        Promise.resolve()
          .then(fn)
          .then(() => this.#ctx.save()),
      );
    }, ms);
    this.#timers.add(timer);
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => {
      this.#ctx.log({ event: "background_error", error: (error as Error).message });
    });
    this.#background.add(tracked);
    void tracked.finally(() => this.#background.delete(tracked));
  }

  async #drop(record: InstanceRecord): Promise<void> {
    const { state, cluster } = this.#ctx;
    for (const db of record.databases) await cluster.dropDatabase(this.#ctx.physical(record.name, db));
    for (const catalog of Object.values(state.catalogs)) {
      if (catalog.database_instance_name === record.name) delete state.catalogs[catalog.name];
    }
    for (const table of Object.values(state.syncedTables)) {
      if (table.database_instance_name === record.name) delete state.syncedTables[table.name];
    }
    if (state.instances[record.name] === record) delete state.instances[record.name];
    this.#ctx.log({ event: "instance_deleted", instance: record.name });
  }
}
