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

/** Fault injection for tests: failing calls, added latency, failing pipelines. */
export class Faults {
  #fail: FailRule[] = [];
  #latency: LatencyRule[] = [];
  #pipelineFailures: string[] = [];

  /** The next `count` calls matching the route answer `status` (429 REQUEST_LIMIT_EXCEEDED or 503 TEMPORARILY_UNAVAILABLE). */
  failNext(route: RouteMatcher, status: 429 | 503, count = 1): void {
    this.#fail.push({ ...route, status, remaining: count, regex: compile(route.path) });
  }

  /** Every call matching the route waits `ms` first (0 removes the rule). */
  addLatency(route: RouteMatcher, ms: number): void {
    this.#latency = this.#latency.filter((r) => !(r.method === route.method && r.path === route.path));
    if (ms > 0) this.#latency.push({ ...route, ms, regex: compile(route.path) });
  }

  /** The next `count` synced-table pipelines fail (SYNCED_TABLE_OFFLINE_FAILED with this message). */
  failNextPipeline(message = "Injected pipeline failure", count = 1): void {
    for (let i = 0; i < count; i++) this.#pipelineFailures.push(message);
  }

  clear(): void {
    this.#fail = [];
    this.#latency = [];
    this.#pipelineFailures = [];
  }

  apply(request: FaultRequest): void {
    const r = faultRequestSchema.parse(request);
    if (r.kind === "fail") this.failNext({ method: r.method, path: r.path }, r.status, r.count);
    else if (r.kind === "latency") this.addLatency({ method: r.method, path: r.path }, r.ms);
    else if (r.kind === "failPipeline") this.failNextPipeline(r.message, r.count);
    else this.clear();
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

  /** @internal consumed by each pipeline at its start. */
  takePipelineFailure(): string | undefined {
    return this.#pipelineFailures.shift();
  }
}

function matches(rule: RouteMatcher & { regex: RegExp }, method: string, path: string): boolean {
  return (rule.method === "*" || rule.method.toUpperCase() === method.toUpperCase()) && rule.regex.test(path);
}
