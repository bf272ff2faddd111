import { isApiError, isUnavailable } from "@lakebase-orders/lakebase-api";
import {
  type DatabricksErrorData,
  DomainError,
  type DomainErrorKind,
  isDomainError,
} from "../../errors/domain-error.ts";

// A failed Databricks call as the app reports it: a domain error for the caller, a short description for step
// results and audit rows. What a failure *is* (not found, unavailable, ...) is @lakebase-orders/lakebase-api's.

export const UNAVAILABLE_MESSAGE = "Databricks is unavailable, try again";

export function databricksErrorData(error: unknown): DatabricksErrorData | null {
  if (isDomainError(error)) return error.databricks;
  return isApiError(error) ? { errorCode: error.errorCode, statusCode: error.statusCode } : null;
}

function kindOf(status: number): DomainErrorKind {
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 401 || status === 403) return "forbidden";
  if (status === 400) return "bad_request";
  if (status === 501) return "not_implemented";
  return "internal";
}

/** A failed Databricks call as a domain error: status codes decide the kind; the ApiError stays the cause. */
export function fromDatabricks(error: unknown, what: string): DomainError {
  if (isDomainError(error)) return error;
  if (isUnavailable(error)) {
    return new DomainError("unavailable", `${UNAVAILABLE_MESSAGE} (${what})`, {
      cause: error,
      databricks: databricksErrorData(error),
    });
  }
  if (isApiError(error)) {
    return new DomainError(kindOf(error.statusCode), `${what}: ${error.message}`, {
      cause: error,
      databricks: databricksErrorData(error),
    });
  }
  return new DomainError("internal", what, { cause: error });
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
