import type { Db, PoolRole } from "@lakebase-orders/db";
import type { LogFields } from "@lakebase-orders/log";
import type { MiddlewareHandler } from "hono";

export type Pool = Db["pool"];

/** What a tRPC middleware's `next()` resolves to, as far as telemetry looks at it. */
export interface ProcedureResult {
  readonly ok: boolean;
  readonly error?: { readonly code: string };
}

/** What the metrics observe on each collection (read, never kept): the database and its token. */
export interface ObservedServices {
  readonly db: Pick<Db, "pool" | "readPool" | "provider">;
}

/**
 * The process's OpenTelemetry: traces (HTTP request -> tRPC procedure -> SQL query), metrics and the trace
 * context of log lines. Off (no OTLP endpoint), every member is a no-op or undefined, so nothing is
 * installed on the hot path: no middleware, no pool wrapper, no log hook.
 */
export interface Telemetry {
  readonly enabled: boolean;
  /** Hono middleware: the server span of each request and its duration; undefined when off. */
  readonly http: MiddlewareHandler | undefined;
  /**
   * Runs a tRPC procedure (its middleware's `next`) inside the procedure's span, recording its duration.
   * `sole`: the request carries this call alone, so the request's span is the procedure's (no child span).
   */
  procedure<R extends ProcedureResult>(
    path: string,
    type: string,
    next: () => Promise<R>,
    sole?: boolean,
  ): Promise<R>;
  /** Wraps a pool's queries in SQL spans, children of the active span. */
  instrumentPool(pool: Pool, role: PoolRole): void;
  /** Starts observing the pools, the token provider and the caches (once the services exist). */
  observe(services: ObservedServices): void;
  /** `trace_id` and `span_id` of the active span, for log lines; undefined when off. */
  readonly logContext: (() => LogFields | undefined) | undefined;
  /** Exports what is pending, then stops (the last step of a shutdown). */
  shutdown(): Promise<void>;
}

/** The SDK pieces the instrumentation uses, passed explicitly (no OpenTelemetry globals). */
export interface Instruments {
  readonly tracer: import("@opentelemetry/api").Tracer;
  readonly meter: import("@opentelemetry/api").Meter;
  readonly contextManager: import("@opentelemetry/api").ContextManager;
  /**
   * Request spans a procedure was recorded on (telemetry/procedure.ts), with the procedure's span name: a
   * `/api/trpc` request is named after its one procedure, not the route every procedure shares.
   */
  readonly procedureSpans: WeakMap<import("@opentelemetry/api").Span, string>;
  /** The request and procedure duration histograms, with their attribute sets bound once. */
  readonly histograms: {
    histogram(name: string, description: string, unit: string): import("./histograms.ts").Histogram;
  };
}
