import { ApiError } from "@databricks/sdk-experimental";

/** Socket-level failures the SDK rethrows raw (and fetch wraps in `cause`): worth another try. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
]);

/**
 * 429, 5xx and network errors are transient; 4xx (bad credentials, unknown instance) will not get better
 * by asking again, so failing fast gives the operator the real cause sooner.
 */
export function isRetryableCredentialError(error: unknown): boolean {
  if (error instanceof ApiError) return error.statusCode === 429 || error.statusCode >= 500;
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isRetryableCredentialError(cause);
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `HTTP ${error.statusCode} ${error.errorCode}: ${error.message}`;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && !error.message.includes(code)
      ? `${code}: ${error.message}`
      : error.message;
  }
  return String(error);
}
