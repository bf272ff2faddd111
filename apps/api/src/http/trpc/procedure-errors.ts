import { type Logger, serializeError } from "@lakebase-orders/log";
import type { TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { isDomainError, retryAfterHeaders } from "../../errors/domain-error.ts";
import { RateLimitedError } from "../guards/rate-limit.ts";
import type { RequestVars } from "../request-log.ts";

/**
 * What happens to a failed procedure, whichever way it was called (tRPC's handler, the direct GET path, a REST
 * route): listed for the request's log line (`listed`, the request's `procedureErrors`), and logged on its own when there is more to say. `logger` carries
 * the request id.
 */
export function reportProcedureError(
  listed: RequestVars["procedureErrors"],
  logger: Logger,
  error: TRPCError,
  path: string | undefined,
): void {
  listed.push({ procedure: path, code: error.code });
  if (error.code === "INTERNAL_SERVER_ERROR") {
    logger.error("procedure failed", { procedure: path, error: serializeError(error.cause ?? error) });
    return;
  }
  // Failures with an underlying cause (database unreachable, table missing) keep it for the operator; a plain
  // "not found" or bad input needs no second line.
  const cause = isDomainError(error.cause) ? error.cause.cause : error.cause;
  if (cause && !(cause instanceof ZodError)) {
    logger.warn("procedure rejected", { procedure: path, code: error.code, error: serializeError(cause) });
  }
}

/**
 * The headers a set of failures adds to the response: `Retry-After` when a rate limit refused a call, or when
 * a failure says when to come back (the database cannot serve it for now, every user connection taken).
 */
export function errorHeaders(errors: readonly TRPCError[]): Record<string, string> {
  const limited = errors.map((e) => e.cause).find((e) => e instanceof RateLimitedError);
  if (limited) return { "Retry-After": String(limited.retryAfterSeconds) };
  for (const error of errors) {
    const headers = retryAfterHeaders(error.cause);
    if (headers["Retry-After"]) return headers;
  }
  return {};
}
