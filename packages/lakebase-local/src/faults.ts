import { z } from "zod";

/**
 * A route as the fault API names it: an HTTP method (or "*") and a path pattern where `*` stands for one
 * path segment and a trailing `**` for the rest, e.g. `GET /api/2.0/database/instances/*`.
 */
export interface RouteMatcher {
  method: string;
  path: string;
}

interface FailRule extends RouteMatcher {
  status: 429 | 503;
  remaining: number;
  regex: RegExp;
}

interface LatencyRule extends RouteMatcher {
  ms: number;
  regex: RegExp;
}

/** Bound of every fault duration (a lock held, a pipeline slowed): 10 minutes. */
const MAX_FAULT_MS = 600_000;

/** A lock the fault API took: `released` resolves when it is let go. */
export interface LockHold {
  acquiredAt: string;
  released: Promise<void>;
}

export const faultRequestSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("fail"),
    method: z.string().default("*"),
    path: z.string().min(1),
    status: z.union([z.literal(429), z.literal(503)]),
    count: z.number().int().positive().default(1),
  }),
  z.object({
    kind: z.literal("latency"),
    method: z.string().default("*"),
    path: z.string().min(1),
    ms: z.number().int().nonnegative(),
  }),
  z.object({
    kind: z.literal("failPipeline"),
    message: z.string().optional(),
    count: z.number().int().positive().default(1),
    pipelineId: z.string().min(1).optional(),
  }),
  z.object({
    kind: z.literal("slowPipeline"),
    ms: z.number().int().nonnegative().max(MAX_FAULT_MS),
    pipelineId: z.string().min(1).optional(),
  }),
  z.object({
    kind: z.literal("dropPipelineConnections"),
    count: z.number().int().positive().default(1),
    pipelineId: z.string().min(1).optional(),
  }),
  z.object({
    kind: z.literal("lockSyncedTable"),
    syncedTable: z.string().min(1),
    ms: z.number().int().positive().max(MAX_FAULT_MS),
  }),
  z.object({ kind: z.literal("clear") }),
]);
export type FaultRequest = z.input<typeof faultRequestSchema>;

function compile(path: string): RegExp {
  const escaped = path
    .split("/")
    .map((segment) => {
      if (segment === "**") return ".*";
      if (segment === "*") return "[^/]+";
      return segment.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*");
    })
    .join("/");
  return new RegExp(`^${escaped}$`);
}

/**
 * Fault injection for tests: failing calls, added latency, and the synced-table pipelines' faults (a run
 * that fails, slow batches, connections dropped mid-batch, an ACCESS EXCLUSIVE lock held on a synced table).
 * Pipeline faults name a pipeline id or, without one, hit whichever pipeline gets there first.
 */
export class Faults {
  #fail: FailRule[] = [];
  #latency: LatencyRule[] = [];
  #pipelineFailures: { message: string; pipelineId: string | undefined }[] = [];
  #pipelineDelays = new Map<string, number>();
  #connectionDrops: { pipelineId: string | undefined; remaining: number }[] = [];
  #lockHolder: ((syncedTable: string, ms: number) => Promise<LockHold>) | undefined;

  /** The next `count` calls matching the route answer `status` (429 REQUEST_LIMIT_EXCEEDED or 503 TEMPORARILY_UNAVAILABLE). */
  failNext(route: RouteMatcher, status: 429 | 503, count = 1): void {
    this.#fail.push({ ...route, status, remaining: count, regex: compile(route.path) });
  }

  /** Every call matching the route waits `ms` first (0 removes the rule). */
  addLatency(route: RouteMatcher, ms: number): void {
    this.#latency = this.#latency.filter((r) => !(r.method === route.method && r.path === route.path));
    if (ms > 0) this.#latency.push({ ...route, ms, regex: compile(route.path) });
  }

  /**
   * The next `count` pipeline runs fail with this message: an initial snapshot ends in
   * SYNCED_TABLE_OFFLINE_FAILED, an update in SYNCED_TABLE_ONLINE_PIPELINE_FAILED (its Pipelines API update
   * FAILED). A CONTINUOUS pipeline takes it only when it has changes to apply.
   */
  failNextPipeline(message = "Injected pipeline failure", count = 1, pipelineId?: string): void {
    for (let i = 0; i < count; i++) this.#pipelineFailures.push({ message, pipelineId });
  }

  /** Every pipeline batch (one transaction) waits `ms` before its COMMIT, holding its locks (0 removes). */
  slowPipeline(ms: number, pipelineId?: string): void {
    if (ms > 0) this.#pipelineDelays.set(pipelineId ?? "*", ms);
    else this.#pipelineDelays.delete(pipelineId ?? "*");
  }

  /** The next `count` pipeline batches lose their connection (pg_terminate_backend) just before COMMIT. */
  dropPipelineConnections(count = 1, pipelineId?: string): void {
    this.#connectionDrops.push({ pipelineId, remaining: count });
  }

  /**
   * Holds an ACCESS EXCLUSIVE lock on a synced table's Postgres table for `ms`, as a refresh or DDL would;
   * resolves once the lock is held.
   */
  holdSyncedTableLock(syncedTable: string, ms: number): Promise<LockHold> {
    if (!this.#lockHolder) return Promise.reject(new Error("lakebase-local: no synced tables to lock"));
    return this.#lockHolder(syncedTable, ms);
  }

  clear(): void {
    this.#fail = [];
    this.#latency = [];
    this.#pipelineFailures = [];
    this.#pipelineDelays.clear();
    this.#connectionDrops = [];
  }

  /** A fault API request; a lock answers once held. */
  async apply(request: FaultRequest): Promise<Record<string, unknown>> {
    const r = faultRequestSchema.parse(request);
    if (r.kind === "fail") this.failNext({ method: r.method, path: r.path }, r.status, r.count);
    else if (r.kind === "latency") this.addLatency({ method: r.method, path: r.path }, r.ms);
    else if (r.kind === "failPipeline") this.failNextPipeline(r.message, r.count, r.pipelineId);
    else if (r.kind === "slowPipeline") this.slowPipeline(r.ms, r.pipelineId);
    else if (r.kind === "dropPipelineConnections") this.dropPipelineConnections(r.count, r.pipelineId);
    else if (r.kind === "lockSyncedTable") {
      const hold = await this.holdSyncedTableLock(r.syncedTable, r.ms);
      return { acquired_at: hold.acquiredAt, held_ms: r.ms };
    } else this.clear();
    return {};
  }

  /** @internal the synced-table pipelines take locks for `holdSyncedTableLock`. */
  bindLockHolder(holder: (syncedTable: string, ms: number) => Promise<LockHold>): void {
    this.#lockHolder = holder;
  }

  /** @internal consumed by the REST layer per call. */
  takeFailure(method: string, path: string): 429 | 503 | undefined {
    const rule = this.#fail.find((r) => matches(r, method, path));
    if (!rule) return undefined;
    rule.remaining--;
    if (rule.remaining <= 0) this.#fail = this.#fail.filter((r) => r !== rule);
    return rule.status;
  }

  /** @internal */
  latencyFor(method: string, path: string): number {
    return this.#latency.filter((r) => matches(r, method, path)).reduce((sum, r) => sum + r.ms, 0);
  }

  /** @internal consumed by each pipeline run at its start. */
  takePipelineFailure(pipelineId?: string): string | undefined {
    const index = this.#pipelineFailures.findIndex(
      (f) => f.pipelineId === undefined || f.pipelineId === pipelineId,
    );
    if (index < 0) return undefined;
    return this.#pipelineFailures.splice(index, 1)[0]?.message;
  }

  /** @internal how long a pipeline batch waits before COMMIT. */
  pipelineDelayMs(pipelineId: string): number {
    return this.#pipelineDelays.get(pipelineId) ?? this.#pipelineDelays.get("*") ?? 0;
  }

  /** @internal consumed by a pipeline batch just before COMMIT: whether to lose its connection. */
  takeConnectionDrop(pipelineId: string): boolean {
    const rule = this.#connectionDrops.find((d) => d.pipelineId === undefined || d.pipelineId === pipelineId);
    if (!rule) return false;
    rule.remaining--;
    if (rule.remaining <= 0) this.#connectionDrops = this.#connectionDrops.filter((d) => d !== rule);
    return true;
  }
}

function matches(rule: RouteMatcher & { regex: RegExp }, method: string, path: string): boolean {
  return (rule.method === "*" || rule.method.toUpperCase() === method.toUpperCase()) && rule.regex.test(path);
}
