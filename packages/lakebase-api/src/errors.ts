import { ApiError } from "@databricks/sdk-experimental";

// One classifier for the Databricks calls of both Lakebase flavours (the `database` and `postgres` APIs): what
// a failure means is decided from status codes and error codes, never from messages (they change).

const NOT_FOUND_CODES = new Set(["NOT_FOUND", "RESOURCE_DOES_NOT_EXIST"]);
const EXISTS_CODES = new Set(["ALREADY_EXISTS", "RESOURCE_ALREADY_EXISTS"]);
// What a socket failure or a deadline (DeadlineError: ETIMEDOUT) leaves on the error.
const UNREACHABLE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|UND_ERR)/;

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** The resource does not exist (404, or its error code says so). */
export function isNotFound(error: unknown): boolean {
  return isApiError(error) && (error.statusCode === 404 || NOT_FOUND_CODES.has(error.errorCode ?? ""));
}

/** The resource exists already: someone (another replica, the bundle) created it first (409). */
export function isAlreadyExists(error: unknown): boolean {
  return isApiError(error) && (error.statusCode === 409 || EXISTS_CODES.has(error.errorCode ?? ""));
}

/** The identity may not do this (401, 403): Databricks' gate, not a fault of the service. */
export function isRefused(error: unknown): boolean {
  return isApiError(error) && (error.statusCode === 401 || error.statusCode === 403);
}

/**
 * Worth trying again later: what the SDK already retried and gave up on (429) or does not retry (5xx), a
 * socket error, a call past its deadline.
 */
export function isUnavailable(error: unknown): boolean {
  if (isApiError(error)) return error.statusCode === 429 || error.statusCode >= 500;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && UNREACHABLE.test(code);
}
