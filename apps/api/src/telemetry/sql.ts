import type { PoolRole } from "@lakebase-orders/db";
import { type Attributes, type Context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Instruments, Pool } from "./types.ts";

type Callback = (error: unknown, result?: unknown) => void;
type QueryFn = (...args: unknown[]) => unknown;
type ConnectFn = (callback?: Callback) => unknown;

// Long statements are cut: a span attribute is no place for a multi-kilobyte query.
const MAX_QUERY_TEXT = 2048;

/**
 * SQL spans for every query of a pool, whether it goes through `pool.query` (Prisma outside transactions,
 * raw pg) or through a client checked out with `pool.connect()` (transactions, migrations): each physical
 * client's `query` is wrapped once, when the pool opens it. Only queries under an active span are traced:
 * background work (token refresh, polling) would otherwise make one root trace per query.
 *
 * pg-pool hands a waiting `connect` callback its client from inside *another* request's `release()`; the
 * callback is bound to the context it was asked from, so `pool.query`'s own client.query runs in the
 * caller's trace, not in the releasing one's.
 */
export function instrumentPool(pool: Pool, role: PoolRole, { tracer, contextManager }: Instruments): void {
  // A deferred pool (packages/db) learns its address on first use: the attributes follow its options.
  let cached: { host: unknown; attributes: Attributes } | undefined;
  const baseAttributes = (): Attributes => {
    const host = pool.options.host;
    if (cached && cached.host === host) return cached.attributes;
    const server = target(pool.options);
    const attributes: Attributes = {
      "db.system.name": "postgresql",
      "db.client.connection.pool.name": role,
      ...(server.database ? { "db.namespace": server.database } : {}),
      ...(server.host ? { "server.address": server.host } : {}),
      ...(server.port ? { "server.port": server.port } : {}),
    };
    cached = { host, attributes };
    return attributes;
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
      return traced(parent, query, this, args, textOf(first));
    };
  });

  function traced(parent: Context, query: QueryFn, self: unknown, args: unknown[], text: string): unknown {
    const operation = /^\s*([a-z]+)/i.exec(text)?.[1]?.toUpperCase() ?? "QUERY";
    const span = tracer.startSpan(
      operation,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          ...baseAttributes(),
          "db.operation.name": operation,
          "db.query.text": text.length > MAX_QUERY_TEXT ? `${text.slice(0, MAX_QUERY_TEXT)}…` : text,
        },
      },
      parent,
    );
    const end = (error: unknown) => {
      if (error) {
        const code = (error as { code?: unknown }).code;
        span.setAttribute("error.type", typeof code === "string" ? code : errorName(error));
        if (typeof code === "string") span.setAttribute("db.response.status_code", code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorName(error) });
      }
      span.end();
    };
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === "function") {
      const wrapped = [...args];
      wrapped[last] = (error: unknown, result: unknown) => {
        end(error);
        (callback as Callback)(error, result);
      };
      return query.apply(self, wrapped);
    }
    const result = query.apply(self, args) as Promise<unknown>;
    result.then(
      () => end(undefined),
      (error: unknown) => end(error),
    );
    return result;
  }
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

function textOf(first: unknown): string {
  if (typeof first === "string") return first;
  const text = (first as { text?: unknown } | null)?.text;
  return typeof text === "string" ? text : "";
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "Error";
}
