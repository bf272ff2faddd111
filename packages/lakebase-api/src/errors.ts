import { ApiError } from "@databricks/sdk-experimental";

// One classifier for the Databricks calls of both Lakebase flavours (the `database` and `postgres` APIs): what
// a failure means is decided from status codes and error codes, never from messages (they change). The two
// APIs spell their codes differently (`RESOURCE_DOES_NOT_EXIST` / `NOT_FOUND`, `RESOURCE_ALREADY_EXISTS` /
// `ALREADY_EXISTS`), and a `postgres` API operation fails with a code but no status (OperationFailedError).

const NOT_FOUND_CODES = new Set(["NOT_FOUND", "RESOURCE_DOES_NOT_EXIST"]);
const EXISTS_CODES = new Set(["ALREADY_EXISTS", "RESOURCE_ALREADY_EXISTS"]);
const REFUSED_CODES = new Set(["PERMISSION_DENIED", "UNAUTHENTICATED"]);
const INVALID_CODES = new Set(["INVALID_PARAMETER_VALUE", "BAD_REQUEST", "INVALID_STATE", "INVALID_REQUEST"]);
// Codes of a failed operation that another attempt may get past (the service was busy, not the request wrong).
const TRANSIENT_CODES = new Set([
  "UNAVAILABLE",
  "TEMPORARILY_UNAVAILABLE",
  "RESOURCE_EXHAUSTED",
  "REQUEST_LIMIT_EXCEEDED",
  "DEADLINE_EXCEEDED",
]);
// What a socket failure or a deadline (DeadlineError: ETIMEDOUT) leaves on the error.
const UNREACHABLE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|UND_ERR)/;
const CODE = /^[A-Z][A-Z0-9_]*$/;

/**
 * A long-running operation of the `postgres` API that ended with an error: the call itself succeeded
 * (no HTTP status to go by), the work did not. `errorCode` is the service's (`NOT_FOUND`, `ALREADY_EXISTS`,
 * `INVALID_PARAMETER_VALUE`, ...), which the classifier reads like an ApiError's.
 */
export class OperationFailedError extends Error {
  override readonly name = "OperationFailedError";
  /** The operation's name, `<resource>/operations/<id>`. */
  readonly operation: string;
  readonly errorCode: string;
  readonly details: readonly unknown[];

  constructor(operation: string, error: { error_code?: string; message?: string; details?: unknown[] }) {
    const code = error.error_code ?? "UNKNOWN";
    super(`operation failed: [${code}] ${error.message ?? "no message"}`);
    this.operation = operation;
    this.errorCode = code;
    this.details = error.details ?? [];
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

export function isOperationFailed(error: unknown): error is OperationFailedError {
  return error instanceof OperationFailedError;
}

/**
 * The service's error code. The SDK (0.17) cannot parse a `postgres` API error whose `details` carry no
 * `metadata` (its parser throws) and then reports the HTTP status text ("Bad Request") as the code: the
 * body it kept is read again here.
 */
export function errorCodeOf(error: unknown): string | null {
  if (isOperationFailed(error)) return error.errorCode;
  if (!isApiError(error)) return null;
  if (CODE.test(error.errorCode ?? "")) return error.errorCode;
  const body: unknown = error.response;
  if (typeof body === "string") {
    try {
      const code = (JSON.parse(body) as { error_code?: unknown }).error_code;
      if (typeof code === "string") return code;
    } catch {
      // Not JSON (an HTML error page): no code.
    }
  } else if (body && typeof body === "object") {
    const code = (body as { error_code?: unknown }).error_code;
    if (typeof code === "string") return code;
  }
  return error.errorCode ?? null;
}

const hasCode = (error: unknown, codes: Set<string>) => codes.has(errorCodeOf(error) ?? "");

/** The resource does not exist (404, or its error code says so). */
export function isNotFound(error: unknown): boolean {
  return (isApiError(error) && error.statusCode === 404) || hasCode(error, NOT_FOUND_CODES);
}

/** The resource exists already: someone (another replica, the bundle) created it first (409). */
export function isAlreadyExists(error: unknown): boolean {
  return (isApiError(error) && error.statusCode === 409) || hasCode(error, EXISTS_CODES);
}

/** The identity may not do this (401, 403): Databricks' gate, not a fault of the service. */
export function isRefused(error: unknown): boolean {
  return (
    (isApiError(error) && (error.statusCode === 401 || error.statusCode === 403)) ||
    (isOperationFailed(error) && REFUSED_CODES.has(error.errorCode))
  );
}

/** The request was refused as wrong (400: a bad value, a resource in the wrong state): asking again will not help. */
export function isInvalid(error: unknown): boolean {
  if (isApiError(error)) return error.statusCode === 400;
  return isOperationFailed(error) && INVALID_CODES.has(error.errorCode);
}

/**
 * Worth trying again later: what the SDK already retried and gave up on (429) or does not retry (5xx), a
 * socket error, a call past its deadline, an operation the service could not run for now.
 */
export function isUnavailable(error: unknown): boolean {
  if (isApiError(error)) return error.statusCode === 429 || error.statusCode >= 500;
  if (isOperationFailed(error)) return TRANSIENT_CODES.has(error.errorCode);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && UNREACHABLE.test(code);
}
