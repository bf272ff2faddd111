import type { PoolRole } from "@lakebase-orders/db";
import { type Attributes, type Context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Instruments, Pool } from "./types.ts";

type Callback = (error: unknown, result?: unknown) => void;
type QueryFn = (...args: unknown[]) => unknown;
type ConnectFn = (callback?: Callback) => unknown;

// Long statements are cut: a span attribute is no place for a multi-kilobyte query.
const MAX_QUERY_TEXT = 2048;
// The full text of a statement goes with its first span and then once a minute (and with every failure):
// the texts are a fixed few shapes, and the span's summary (and the prepared statement's name) say which.
const FULL_TEXT_EVERY_MS = 60_000;
// Distinct statement texts remembered; past that (unnamed statements with many shapes) the memory restarts.
const MAX_STATEMENTS = 1000;

/** When a statement gets a span of its own (see TelemetryConfig.sqlSpanRatio and sqlSlowMs). */
export interface SqlSpanPolicy {
  /** Share of traces (by trace id) whose statements each get a span. */
  readonly ratio: number;
  /** A statement at least this slow always gets one (as does a failed one). */
  readonly slowMs: number;
}

/** What a statement's spans say about it, computed once per distinct text. */
interface StatementInfo {
  /** The span's name: `db.query.summary`. */
  readonly summary: string;
  /** Without the text: most spans. */
  readonly attributes: Attributes;
  /** With the full text: the first span, then once a minute, and failures. */
  readonly withText: Attributes;
  textSentAt: number;
}

/**
 * SQL spans for the queries of a pool, whether they go through `pool.query` (Prisma outside transactions,
 * raw pg) or through a client checked out with `pool.connect()` (transactions, migrations): each physical
 * client's `query` is wrapped once, when the pool opens it. Only queries under an active span are traced:
 * background work (token refresh, polling) would otherwise make one root trace per query.
 *
 * A span costs the request its creation and, later, its serialization: a statement gets one when its trace
 * is among `policy.ratio` of them (by trace id: a trace has all its statements or none), when it fails or
 * when it is slow, created when the statement ends (with its start time), so a fast statement of another
 * trace costs two clock reads. The full text goes with a statement's first span, then once a minute and with
 * every failure; every span carries `db.query.summary` (operation and table) and the statement's identity.
 *
 * pg-pool hands a waiting `connect` callback its client from inside *another* request's `release()`; the
 * callback is bound to the context it was asked from, so `pool.query`'s own client.query runs in the
 * caller's trace, not in the releasing one's.
 */
export function instrumentPool(
  pool: Pool,
  role: PoolRole,
  { tracer, contextManager }: Instruments,
  policy: SqlSpanPolicy = { ratio: 1, slowMs: 0 },
): void {
  // A deferred pool (packages/db) learns its address on first use: the attributes follow its options.
  let host: unknown = Symbol("unset");
  let base: Attributes = {};
  const statements = new Map<string, StatementInfo>();
  const infoOf = (text: string, name: string | undefined): StatementInfo => {
    if (pool.options.host !== host) {
      host = pool.options.host;
      base = baseAttributes(pool.options, role);
      statements.clear();
    }
    const key = name ?? text;
    let info = statements.get(key);
    if (info === undefined) {
      if (statements.size >= MAX_STATEMENTS) statements.clear();
      info = statementInfo(text, name, base);
      statements.set(key, info);
    }
    return info;
  };
  // The trace id's last 8 hex digits are uniformly random (W3C): below the threshold, the trace is chosen.
  const threshold = Math.floor(policy.ratio * 0x1_0000_0000);
  const chosen = (parent: Context): boolean => {
    if (threshold >= 0x1_0000_0000) return true;
    if (threshold <= 0) return false;
    const traceId = trace.getSpan(parent)?.spanContext().traceId ?? "";
    return Number.parseInt(traceId.slice(-8), 16) < threshold;
  };

  const connect = pool.connect as unknown as ConnectFn;
  (pool as unknown as { connect: ConnectFn }).connect = function (this: Pool, callback?: Callback) {
    return connect.call(
      this,
      typeof callback === "function" ? contextManager.bind(contextManager.active(), callback) : undefined,
    );
  };

  pool.on("connect", (client) => {
    const query = client.query as unknown as QueryFn;
    (client as unknown as { query: QueryFn }).query = function (this: unknown, ...args: unknown[]) {
      const parent = contextManager.active();
      const first = args[0];
      // Streams (COPY, cursors) are Submittables with their own lifecycle: passed through untraced.
      if (!trace.getSpan(parent) || isSubmittable(first)) return query.apply(this, args);
      return traced(parent, query, this, args, first);
    };
  });

  function traced(parent: Context, query: QueryFn, self: unknown, args: unknown[], first: unknown): unknown {
    const started = performance.now();
    const end = (error: unknown) => {
      const ended = performance.now();
      if (!error && ended - started < policy.slowMs && !chosen(parent)) return;
      const info = infoOf(textOf(first), nameOf(first));
      const full = error !== undefined || ended - info.textSentAt >= FULL_TEXT_EVERY_MS;
      if (full) info.textSentAt = ended;
      const span = tracer.startSpan(
        info.summary,
        { kind: SpanKind.CLIENT, attributes: full ? info.withText : info.attributes, startTime: started },
        parent,
      );
      if (error) {
        const code = (error as { code?: unknown }).code;
        span.setAttribute("error.type", typeof code === "string" ? code : errorName(error));
        if (typeof code === "string") span.setAttribute("db.response.status_code", code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorName(error) });
      }
      span.end(ended);
    };
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === "function") {
      const wrapped = [...args];
      wrapped[last] = (error: unknown, result: unknown) => {
        end(error ?? undefined);
        (callback as Callback)(error, result);
      };
      return query.apply(self, wrapped);
    }
    const result = query.apply(self, args) as Promise<unknown>;
    result.then(
      () => end(undefined),
      (error: unknown) => end(error ?? new Error("query failed")),
    );
    return result;
  }
}

/** The pool's attributes, the same on every span: the system, the database, the server. */
function baseAttributes(options: Pool["options"], role: PoolRole): Attributes {
  const server = target(options);
  return {
    "db.system.name": "postgresql",
    "db.client.connection.pool.name": role,
    ...(server.database ? { "db.namespace": server.database } : {}),
    ...(server.host ? { "server.address": server.host } : {}),
    ...(server.port ? { "server.port": server.port } : {}),
  };
}

/**
 * A statement's operation, its summary (semconv's `db.query.summary`: the operation and its first table, e.g.
 * `SELECT public.orders_synced`) and its identity (`lakebase_orders.db.statement`): the prepared statement's
 * name, else a hash of its text, on every span, so a span without the text names the one that had it.
 */
function statementInfo(text: string, name: string | undefined, base: Attributes): StatementInfo {
  const operation = /^\s*([a-z]+)/i.exec(text)?.[1]?.toUpperCase() ?? "QUERY";
  const table = /\b(?:from|into|update|join)\s+((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))*)/i.exec(
    text,
  )?.[1];
  const summary = table ? `${operation} ${table.replaceAll('"', "")}` : operation;
  const attributes: Attributes = {
    ...base,
    "db.operation.name": operation,
    "db.query.summary": summary,
    "lakebase_orders.db.statement": name ?? fingerprint(text),
  };
  const cut = text.length > MAX_QUERY_TEXT ? `${text.slice(0, MAX_QUERY_TEXT)}…` : text;
  return {
    summary,
    attributes,
    withText: { ...attributes, "db.query.text": cut },
    textSentAt: Number.NEGATIVE_INFINITY,
  };
}

/** Database, host and port of a pool, from its options or its URL (never the URL itself: it may hold a password). */
function target(options: Pool["options"]): { database?: string; host?: string; port?: number } {
  if (options.connectionString) {
    try {
      const url = new URL(options.connectionString);
      return {
        database: decodeURIComponent(url.pathname.slice(1)) || undefined,
        host: url.hostname,
        port: url.port ? Number(url.port) : 5432,
      };
    } catch {
      return {};
    }
  }
  return {
    ...(typeof options.database === "string" ? { database: options.database } : {}),
    ...(typeof options.host === "string" ? { host: options.host } : {}),
    ...(typeof options.port === "number" ? { port: options.port } : {}),
  };
}

function isSubmittable(value: unknown): boolean {
  return typeof (value as { submit?: unknown } | null)?.submit === "function";
}

/** FNV-1a of the text, 8 hex digits: short, stable across processes, enough to tell a few hundred texts apart. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

function nameOf(first: unknown): string | undefined {
  const name = (first as { name?: unknown } | null)?.name;
  return typeof name === "string" ? name : undefined;
}

function textOf(first: unknown): string {
  if (typeof first === "string") return first;
  const text = (first as { text?: unknown } | null)?.text;
  return typeof text === "string" ? text : "";
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "Error";
}
