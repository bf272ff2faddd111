import { ApiError } from "@databricks/sdk-experimental";
import {
  type DatabricksErrorData,
  DomainError,
  type DomainErrorKind,
  isDomainError,
} from "../errors/domain-error.ts";

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
