import type { Logger } from "@lakebase-orders/log";
import type { PrismaClient } from "./generated/prisma/client.ts";

// Prisma codes for "could not reach / lost the server" and pg-pool's connect timeout (which has no code).
const UNREACHABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const UNREACHABLE_SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "EPIPE",
  // Server shutting down, crashed or not accepting yet (a restart, a failover), and lost connections.
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);

/** True when the error says the replica could not be used at all, as opposed to a bad query. */
export function isUnreachable(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 5) return false;
  const { code, name, message, cause, meta } = error as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    cause?: unknown;
    meta?: { code?: unknown; driverAdapterError?: unknown };
  };
  if (typeof code === "string" && (UNREACHABLE_PRISMA_CODES.has(code) || UNREACHABLE_SOCKET_CODES.has(code)))
    return true;
  // Prisma's driver-adapter errors carry the SQLSTATE in meta.code and the original in driverAdapterError.
  if (typeof meta?.code === "string" && UNREACHABLE_SOCKET_CODES.has(meta.code)) return true;
  if (meta?.driverAdapterError && isUnreachable(meta.driverAdapterError, depth + 1)) return true;
  if (name === "TokenUnavailableError") return true;
  // pg-pool's connect timeout, a server that hangs up, and Prisma's raw-query wrapper (P2010 with code N/A)
  // carry no usable code, only these fixed messages.
  if (
    typeof message === "string" &&
    /timeout exceeded when trying to connect|Connection terminated|terminating connection|the database system is (shutting down|starting up)|Can't reach database server|DatabaseNotReachable/.test(
      message,
    )
  ) {
    return true;
  }
  return isUnreachable(cause, depth + 1);
}

type Operation = (args: unknown) => Promise<unknown>;

/**
 * A client for read-only queries: runs on the replica, and when the replica cannot be reached runs the same
 * operation on the primary instead (and keeps doing so for `retryAfterMs` so a dead replica does not cost a
 * connect timeout per read). Query errors (bad SQL, constraint) are not retried on the primary.
 */
export function createReadClient(
  replica: PrismaClient,
  primary: PrismaClient,
  options: { logger: Logger; retryAfterMs: number },
): PrismaClient {
  let replicaDownUntil = 0;
  const onPrimary = (model: string | undefined, operation: string, args: unknown): Promise<unknown> => {
    const target: Record<string, unknown> = model
      ? ((primary as unknown as Record<string, Record<string, unknown>>)[lowerFirst(model)] ?? {})
      : (primary as unknown as Record<string, unknown>);
    const fn = target[operation] as Operation | undefined;
    if (typeof fn !== "function")
      throw new Error(`cannot run ${model ?? "client"}.${operation} on the primary`);
    // Raw queries arrive as the argument list; model operations as one argument object.
    return Array.isArray(args) && !model
      ? (fn as (...a: unknown[]) => Promise<unknown>).apply(target, args)
      : fn.call(target, args);
  };
  const extended = replica.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        if (Date.now() < replicaDownUntil) return onPrimary(model, operation, args);
        try {
          return await query(args);
        } catch (error) {
          if (!isUnreachable(error)) throw error;
          replicaDownUntil = Date.now() + options.retryAfterMs;
          options.logger.warn("db_read_replica_unreachable", {
            fallback: "primary",
            retryAfterMs: options.retryAfterMs,
            message: error instanceof Error ? error.message.slice(0, 300) : String(error),
          });
          return onPrimary(model, operation, args);
        }
      },
    },
  });
  // The extension adds no model or method, so the extended client is used through PrismaClient's own surface.
  return extended as unknown as PrismaClient;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
