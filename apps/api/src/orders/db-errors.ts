import {
  isConnectionLost,
  isLockTimeout,
  isPoolSaturated,
  isRecoveryConflict,
  isUnreachable,
  neverConnected,
  sqlState,
} from "@lakebase-orders/db";
import { isDomainError, notFound, preconditionFailed, unavailable } from "../errors/domain-error.ts";

/** The Postgres/driver code of an error, looking through Prisma's wrappers and cause chains. */
export function dbErrorCode(error: unknown): string | undefined {
  if (!error || typeof error !== "object") return undefined;
  const direct = (error as { code?: unknown }).code;
  return sqlState(error) ?? (typeof direct === "string" ? direct : undefined);
}

/**
 * Turns database failures callers can act on into domain errors (a missing synced table is a precondition,
 * an unreachable database is "unavailable"); anything else stays as it is: an internal error, logged with its
 * cause.
 */
export function mapDbError(error: unknown, tableName: string): unknown {
  if (isDomainError(error)) return error;
  const code = dbErrorCode(error);
  const message = error instanceof Error ? error.message : "";
  const table = tableName.split(".").at(-1) ?? tableName;
  // Only the synced table may legitimately be missing; a missing app_data table is a broken deployment.
  const missing = code === "42P01" || /TableDoesNotExist|relation .* does not exist/i.test(message);
  if (missing && message.includes(table) && !message.includes("app_data")) {
    return preconditionFailed(
      `Orders data is not available yet: the synced table ${tableName} does not exist in the database (still syncing or not created).`,
      error,
    );
  }
  if (isUnreachable(error)) return unavailable("The database is unavailable; retry shortly.", error);
  // The database works but could not serve this within its budget: a 503 that says when to come back, never
  // a 500 (nothing is broken) and never a wait for as long as someone else holds the table.
  if (isLockTimeout(error)) {
    return unavailable(
      "The orders table is locked (a data sync or maintenance is replacing it); retry in a moment.",
      error,
      BUSY_RETRY_AFTER_SECONDS,
    );
  }
  if (code === "57014") {
    return unavailable(
      "The database did not answer within this request's time budget; retry shortly.",
      error,
      BUSY_RETRY_AFTER_SECONDS,
    );
  }
  // A standby's cancel that reached the caller (a stream already under way, where nothing can be re-read).
  if (isRecoveryConflict(error)) {
    return unavailable(
      "The read replica cancelled this read while applying the latest changes; retry in a moment.",
      error,
      BUSY_RETRY_AFTER_SECONDS,
    );
  }
  if (isPoolSaturated(error)) {
    return unavailable(
      "The app is serving as many database requests as it can; retry in a moment.",
      error,
      BUSY_RETRY_AFTER_SECONDS,
    );
  }
  return error;
}

/** A lock, a statement budget or a full pool pass within seconds: ask again soon. */
const BUSY_RETRY_AFTER_SECONDS = 2;

/** What a caller is told when a write lost its connection: it may or may not have been committed. */
export const WRITE_OUTCOME_UNKNOWN =
  "The database connection was lost while saving, so the change may or may not have been applied: check the order's history before trying again.";

/**
 * `mapDbError` for writes, which are never retried blindly: a write whose connection was lost after it
 * reached the server has an unknown outcome (a status change is sent once more with its write id, which
 * applies it at most once: writes/status-writer.ts; this is what is left when that one is lost too), and the
 * caller must check (the history is the truth). One that never reached it (refused, login failed) is plainly
 * unavailable.
 */
export function mapWriteError(error: unknown, tableName: string): unknown {
  if (isDomainError(error)) return error;
  if (isConnectionLost(error) && !neverConnected(error)) return unavailable(WRITE_OUTCOME_UNKNOWN, error);
  return mapDbError(error, tableName);
}

/**
 * Why the database cannot be used, in words an analyst or operator can act on (no driver text, no secret):
 * what orders calls answer while the database is not ready.
 */
export function describeDbProblem(error: unknown): string {
  const code = dbErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === "57P03" || /is stopped|is starting|starting up|shutting down/i.test(message)) {
    return "the database instance is stopped or starting";
  }
  if (code === "08004" || code === "3D000" || /does not exist/i.test(message)) {
    return "the database does not exist (yet)";
  }
  if (
    code === "28P01" ||
    code === "28000" ||
    /password authentication|No valid Lakebase token/i.test(message)
  ) {
    return "the database refused the app's login";
  }
  if (/MigrationError|migration/i.test(`${(error as { name?: string })?.name} ${message}`)) {
    return "the app's database migrations did not complete";
  }
  if (/timeout|did not answer|ETIMEDOUT/i.test(message) || code === "ETIMEDOUT") {
    return "the database does not answer";
  }
  return "the database cannot be reached";
}

export function orderNotFound(orderKey: number) {
  return notFound(`Order ${orderKey} not found`);
}
