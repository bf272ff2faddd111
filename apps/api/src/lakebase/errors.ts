import { ApiError } from "@databricks/sdk-experimental";
import { TRPCError } from "@trpc/server";

/** What the SPA gets in `error.data.databricks` when a Databricks call failed. */
export interface DatabricksErrorData {
  errorCode: string;
  statusCode: number;
}

export const UNAVAILABLE_MESSAGE = "Databricks is unavailable, try again";

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** "Does not exist" is decided from the status code only: messages change, codes are the contract. */
export function isNotFound(error: unknown): boolean {
  return isApiError(error) && error.statusCode === 404;
}

/** True for what the SDK already retried and gave up on (429) or does not retry (5xx), and socket errors. */
export function isUnavailable(error: unknown): boolean {
  if (isApiError(error)) return error.statusCode === 429 || error.statusCode >= 500;
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === "string" && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|UND_ERR)/.test(code)
  );
}

/** The Databricks error as tRPC knows it: status codes map to tRPC codes; the ApiError stays the cause. */
export function toTrpcError(error: unknown, what: string): TRPCError {
  if (error instanceof TRPCError) return error;
  if (isUnavailable(error)) {
    return new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: `${UNAVAILABLE_MESSAGE} (${what})`,
      cause: error,
    });
  }
  if (isApiError(error)) {
    const code =
      error.statusCode === 404
        ? "NOT_FOUND"
        : error.statusCode === 409
          ? "CONFLICT"
          : error.statusCode === 403 || error.statusCode === 401
            ? "FORBIDDEN"
            : error.statusCode === 400
              ? "BAD_REQUEST"
              : error.statusCode === 501
                ? "NOT_IMPLEMENTED"
                : "INTERNAL_SERVER_ERROR";
    return new TRPCError({ code, message: `${what}: ${error.message}`, cause: error });
  }
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: what, cause: error });
}

/** For the error formatter: the Databricks code and status behind a tRPC error, if any. */
export function databricksErrorData(cause: unknown): DatabricksErrorData | null {
  return isApiError(cause) ? { errorCode: cause.errorCode, statusCode: cause.statusCode } : null;
}

/** A short description of any failure for step results and audit rows (no stack, no secrets). */
export function describeFailure(error: unknown): { message: string; databricks?: DatabricksErrorData } {
  const databricks = databricksErrorData(error);
  const message = isUnavailable(error)
    ? `${UNAVAILABLE_MESSAGE}: ${error instanceof Error ? error.message : String(error)}`
    : error instanceof Error
      ? error.message
      : String(error);
  return databricks ? { message, databricks } : { message };
}
