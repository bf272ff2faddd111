import type { Logger } from "@lakebase-orders/log";
import { isUnreachable } from "./connection-errors.ts";
import type { PrismaClient } from "./generated/prisma/client.ts";

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
