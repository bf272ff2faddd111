import { type LocalPostgres, type Standby, startStandby } from "@lakebase-orders/pg-local";
import type { FrontDoorActivity } from "../front-door/types.ts";
import type { ServiceContext } from "../state/context.ts";
import type { EndpointRecord } from "../state/postgres-records.ts";
import type { BranchClusters } from "./branch-clusters.ts";
import { Cluster } from "./cluster.ts";

/** Per endpoint: how often it went to zero and came back, and what the last wake cost. */
export interface ComputeCounters {
  suspensions: number;
  wakes: number;
  /** Real start plus the wake delay of the latest wake, in ms. */
  lastWakeMs: number | null;
}

interface Compute {
  /** A read-only endpoint's hot standby (its own compute); a read-write endpoint uses its branch's cluster. */
  standby?: Standby;
  standbyStarting?: Promise<Standby>;
  /** One wake or suspension at a time, in the order asked. */
  queue: Promise<unknown>;
  /** The latest wake or login (the idle loop counts from here too). */
  lastWakeAt: number;
  lastActiveAt: number;
  counters: ComputeCounters;
}

/** Where a login on the endpoint goes. */
export interface ComputeTarget {
  host: string;
  port: number;
  /** The administration of the server relayed to (role passwords; a standby's roles come from its primary). */
  server: Cluster;
  /** The primary's administration, woken if needed (roles are made there and replicated to standbys). */
  primary(): Promise<Cluster>;
  /** The server is a standby: a role made on the primary a moment ago may not be there yet. */
  standby: boolean;
}

/**
 * The compute behind each Autoscaling endpoint, and scale to zero. A read-write endpoint is its branch's
 * cluster; a read-only endpoint is a hot standby of it (streaming replication, with the configured apply
 * delay). An endpoint with a suspend timeout is suspended (postmaster stopped: its sessions end with
 * 57P01) once its front door has carried no query and held no busy session for that long; the next login
 * wakes it (the real start, then the wake delay) before it is relayed.
 */
export class EndpointComputes {
  readonly #ctx: ServiceContext;
  readonly #branches: BranchClusters;
  readonly #activity: (endpoint: string) => FrontDoorActivity | undefined;
  readonly #computes = new Map<string, Compute>();
  #replicaDelayMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    ctx: ServiceContext,
    branches: BranchClusters,
    activity: (endpoint: string) => FrontDoorActivity | undefined,
  ) {
    this.#ctx = ctx;
    this.#branches = branches;
    this.#activity = activity;
    this.#replicaDelayMs = ctx.deps.computes.replicaDelayMs;
  }

  /** The compute's state as the API reports it: ACTIVE while its postmaster runs, IDLE when suspended. */
  state(record: EndpointRecord): "ACTIVE" | "IDLE" {
    return this.#server(record)?.state === "running" ? "ACTIVE" : "IDLE";
  }

  /** When it last carried a query or a connection (the API's `last_active_time`). */
  lastActiveAt(record: EndpointRecord): Date | undefined {
    const compute = this.#computes.get(record.name);
    if (!compute) return undefined;
    // Suspended: when it last served (the sessions' last words on the way down do not count).
    if (this.state(record) !== "ACTIVE")
      return compute.lastActiveAt > 0 ? new Date(compute.lastActiveAt) : undefined;
    const activity = this.#activity(record.name);
    if ((activity?.sessions ?? 0) > 0) return new Date();
    return new Date(Math.max(compute.lastActiveAt, activity?.lastActivityAt ?? 0));
  }

  counters(): Record<string, ComputeCounters & { state: "ACTIVE" | "IDLE" }> {
    const out: Record<string, ComputeCounters & { state: "ACTIVE" | "IDLE" }> = {};
    for (const [name, compute] of this.#computes) {
      const record = this.#ctx.postgres.endpoints[name];
      if (record) out[name] = { ...compute.counters, state: this.state(record) };
    }
    return out;
  }

  /** Starts the compute of a new endpoint (a read-only one's standby is made now). */
  async start(record: EndpointRecord): Promise<void> {
    const compute = this.#compute(record.name);
    if (record.status.endpoint_type === "ENDPOINT_TYPE_READ_ONLY") await this.#standbyOf(record, compute);
    else await this.#branches.of(record.parent).running();
    compute.lastWakeAt = Date.now();
    this.#watch();
  }

  /**
   * Where a login goes: the running compute, woken first when it is suspended (counted as a wake, with
   * the wake delay after the real start).
   */
  target(record: EndpointRecord): Promise<ComputeTarget> {
    const compute = this.#compute(record.name);
    // After a restart a compute is first met here: it scales to zero from now on too.
    this.#watch();
    return this.#serially(compute, async () => {
      const asleep = this.state(record) !== "ACTIVE";
      const started = Date.now();
      compute.lastWakeAt = started;
      let server: LocalPostgres;
      if (record.status.endpoint_type === "ENDPOINT_TYPE_READ_ONLY") {
        server = await this.#standbyOf(record, compute);
        if (server.state !== "running") await server.resume();
      } else {
        server = (await this.#branches.of(record.parent).running()).pg;
      }
      if (asleep) {
        const delay = this.#ctx.deps.computes.wakeDelayMs;
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        compute.counters.wakes++;
        compute.counters.lastWakeMs = Date.now() - started;
        compute.lastWakeAt = Date.now();
        this.#ctx.log({ event: "endpoint_woken", endpoint: record.name, ms: compute.counters.lastWakeMs });
      }
      // A login is activity: the idle loop must not stop the compute under a session being opened.
      compute.lastWakeAt = Date.now();
      const branch = this.#branches.of(record.parent);
      return {
        host: server.host,
        port: server.port,
        server: new Cluster(server.url("postgres")),
        primary: async () => (await branch.running()).admin,
        standby: compute.standby !== undefined,
      };
    });
  }

  /**
   * Suspends (a disabled endpoint now; the idle loop only if still idle when its turn comes: a login
   * queued meanwhile wins): sessions end with 57P01, state IDLE.
   */
  suspend(record: EndpointRecord, reason: "disabled" | "idle"): Promise<void> {
    const compute = this.#compute(record.name);
    return this.#serially(compute, async () => {
      if (this.state(record) !== "ACTIVE") return;
      if (reason === "idle" && !this.#idle(record, compute)) return;
      if (reason === "idle" && (await this.#busyInside(record))) {
        // Work that did not come through the front door (a pipeline, a superuser session) is activity too.
        compute.lastWakeAt = Date.now();
        return;
      }
      const activity = this.#activity(record.name);
      compute.lastActiveAt = Math.max(
        compute.lastActiveAt,
        activity?.lastActivityAt ?? 0,
        compute.lastWakeAt,
      );
      if (compute.standby) await compute.standby.suspend();
      else {
        const cluster = this.#branches.of(record.parent);
        if (cluster.held) return;
        await cluster.suspend();
      }
      if (this.state(record) === "ACTIVE") return;
      compute.counters.suspensions++;
      this.#ctx.log({ event: "endpoint_suspended", endpoint: record.name, reason });
    });
  }

  /** The apply delay of every standby, now and for those started later. */
  async setReplicaDelay(ms: number): Promise<void> {
    this.#replicaDelayMs = ms;
    await Promise.all(
      [...this.#computes.values()].map((c) => c.standby?.setApplyDelay(ms)).filter((p) => p !== undefined),
    );
  }

  get replicaDelayMs(): number {
    return this.#replicaDelayMs;
  }

  /** Lag of each read-only endpoint's standby behind its primary. */
  async lag(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [name, compute] of this.#computes) {
      if (compute.standby?.state === "running") out[name] = await compute.standby.lag().catch(() => null);
    }
    return out;
  }

  /** Stops a deleted endpoint's own compute (a read-only endpoint's standby). */
  async remove(name: string): Promise<void> {
    const compute = this.#computes.get(name);
    this.#computes.delete(name);
    await compute?.standby?.stop();
  }

  async stopAll(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    const computes = [...this.#computes.values()];
    this.#computes.clear();
    await Promise.allSettled(
      computes.map(async (c) => (c.standby ?? (await c.standbyStarting?.catch(() => undefined)))?.stop()),
    );
  }

  /** The timeout after which an idle endpoint suspends, in ms (undefined: never). */
  timeoutMs(record: EndpointRecord): number | undefined {
    const { status } = record;
    if (status.no_suspension || !status.suspend_timeout_duration) return undefined;
    return (
      this.#ctx.deps.computes.suspendAfterMs ?? Number.parseFloat(status.suspend_timeout_duration) * 1000
    );
  }

  #server(record: EndpointRecord): LocalPostgres | undefined {
    if (record.status.endpoint_type === "ENDPOINT_TYPE_READ_ONLY")
      return this.#computes.get(record.name)?.standby;
    return this.#branches.get(record.parent)?.current?.pg;
  }

  #compute(name: string): Compute {
    let compute = this.#computes.get(name);
    if (!compute) {
      compute = {
        queue: Promise.resolve(),
        lastWakeAt: Date.now(),
        lastActiveAt: 0,
        counters: { suspensions: 0, wakes: 0, lastWakeMs: null },
      };
      this.#computes.set(name, compute);
    }
    return compute;
  }

  /** The read-only endpoint's standby, made on first use from a base backup of its (held) primary. */
  #standbyOf(record: EndpointRecord, compute: Compute): Promise<Standby> {
    if (compute.standby) return Promise.resolve(compute.standby);
    compute.standbyStarting ??= this.#branches
      .of(record.parent)
      .hold(({ pg }) => startStandby({ primary: pg, applyDelayMs: this.#replicaDelayMs, fast: true }))
      .then(
        (standby) => {
          compute.standby = standby;
          return standby;
        },
        (error: unknown) => {
          compute.standbyStarting = undefined;
          throw error;
        },
      );
    return compute.standbyStarting;
  }

  /** The idle loop: one timer for every endpoint with a suspend timeout. */
  #watch(): void {
    if (this.#timer) return;
    const configured = this.#ctx.deps.computes.suspendAfterMs;
    const tick = configured === undefined ? 1_000 : Math.min(1_000, Math.max(10, Math.floor(configured / 4)));
    this.#timer = setInterval(() => this.#checkIdle(), tick);
    this.#timer.unref();
  }

  #checkIdle(): void {
    if (this.#ctx.stopped) return;
    for (const [name, compute] of this.#computes) {
      const record = this.#ctx.postgres.endpoints[name];
      if (!record || this.state(record) !== "ACTIVE" || !this.#idle(record, compute)) continue;
      void this.suspend(record, "idle").catch((error: unknown) =>
        this.#ctx.log({ event: "suspend_failed", endpoint: name, error: (error as Error).message }),
      );
    }
  }

  /** Whether the server runs a query or holds a transaction open for a session that bypassed the front door. */
  async #busyInside(record: EndpointRecord): Promise<boolean> {
    const server = this.#server(record);
    if (server?.state !== "running") return false;
    const busy = await new Cluster(server.url("postgres"))
      .withClient("postgres", (c) =>
        // A synced-table pipeline's session counts while it is open (between its statements too: it reads
        // the source, on another cluster, between batches); it closes when its update ends.
        c.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
              AND (state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')
                   OR application_name LIKE 'lakebase-local pipeline %')`,
        ),
      )
      .catch(() => undefined);
    // The front door's own busy sessions were counted already; what is left runs inside.
    const viaDoor = this.#activity(record.name)?.busy ?? 0;
    return (busy?.rows[0]?.n ?? 0) > viaDoor;
  }

  /**
   * No session busy (a query in flight or a transaction open), and nothing for the suspend timeout: no
   * byte relayed, no login, no internal work on the cluster.
   */
  #idle(record: EndpointRecord, compute: Compute): boolean {
    const timeout = this.timeoutMs(record);
    if (timeout === undefined) return false;
    const activity = this.#activity(record.name);
    if ((activity?.busy ?? 0) > 0) return false;
    const internal =
      record.status.endpoint_type === "ENDPOINT_TYPE_READ_ONLY"
        ? 0
        : (this.#branches.get(record.parent)?.lastUsedAt ?? 0);
    const last = Math.max(activity?.lastActivityAt ?? 0, compute.lastWakeAt, internal);
    return Date.now() - last >= timeout;
  }

  #serially<T>(compute: Compute, step: () => Promise<T>): Promise<T> {
    const next = compute.queue.then(step, step);
    compute.queue = next.catch(() => undefined);
    return next;
  }
}
