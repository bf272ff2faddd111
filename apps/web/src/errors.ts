import type { AppRouter } from "@lakebase-orders/api";
import { TRPCClientError } from "@trpc/client";

export interface ErrorInfo {
  /** tRPC code such as CONFLICT, or NETWORK when the server could not be reached. */
  code: string;
  message: string;
  /** Databricks error code (e.g. RESOURCE_ALREADY_EXISTS) when the failure came from Databricks. */
  databricksCode: string | null;
  nextStep: string;
}

function asClientError(error: unknown): TRPCClientError<AppRouter> | null {
  return error instanceof TRPCClientError ? (error as TRPCClientError<AppRouter>) : null;
}

function codeOf(error: unknown): string {
  const clientError = asClientError(error);
  if (!clientError) return "UNKNOWN";
  // No `data` means the request never got a tRPC answer (offline, proxy error, aborted).
  return clientError.data?.code ?? "NETWORK";
}

function databricksCodeOf(error: unknown): string | null {
  return asClientError(error)?.data?.databricks?.errorCode ?? null;
}

const NEXT_STEP_BY_DATABRICKS_CODE: Readonly<Record<string, string>> = {
  RESOURCE_DOES_NOT_EXIST: "Refresh the status: the resource may already be gone.",
  RESOURCE_ALREADY_EXISTS: "Refresh the status and use the existing resource, or delete it first.",
  PERMISSION_DENIED: "Ask a workspace admin to grant the app's service principal access.",
  QUOTA_EXCEEDED: "Delete an unused Lakebase instance (10 per workspace) and try again.",
  RESOURCE_EXHAUSTED: "Databricks is rate-limiting; wait a minute and try again.",
  REQUEST_LIMIT_EXCEEDED: "Databricks is rate-limiting; wait a minute and try again.",
  TEMPORARILY_UNAVAILABLE: "Databricks is unavailable right now; try again in a few minutes.",
  INVALID_PARAMETER_VALUE: "Check the form values against the Lakebase limits.",
  INVALID_STATE: "Wait for the current operation to finish, then try again.",
};

const NEXT_STEP_BY_CODE: Readonly<Record<string, string>> = {
  BAD_REQUEST: "Correct the input and try again.",
  UNAUTHORIZED: "Sign in again through the Databricks workspace.",
  FORBIDDEN: "Ask an app admin to add you to APP_ADMINS.",
  NOT_FOUND: "Check the key or name; it may have been deleted.",
  CONFLICT: "Someone else changed it first: the latest value is shown, review it and try again.",
  PRECONDITION_FAILED: "The data is still syncing; this view retries on its own.",
  TOO_MANY_REQUESTS: "Wait a moment and try again.",
  SERVICE_UNAVAILABLE: "The service is unavailable; try again in a few minutes.",
  NETWORK: "Check the connection to the app and retry.",
};

export function describeError(error: unknown): ErrorInfo {
  const code = codeOf(error);
  const databricksCode = databricksCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const nextStep =
    (databricksCode && NEXT_STEP_BY_DATABRICKS_CODE[databricksCode]) ||
    NEXT_STEP_BY_CODE[code] ||
    "Retry; if it keeps failing, check the server logs with the request id.";
  return { code, message, databricksCode, nextStep };
}

export function isStillSyncing(error: unknown): boolean {
  return codeOf(error) === "PRECONDITION_FAILED";
}

/** Only transient failures are worth an automatic retry. */
export function isRetryable(error: unknown): boolean {
  const code = codeOf(error);
  return code === "NETWORK" || code === "INTERNAL_SERVER_ERROR" || code === "SERVICE_UNAVAILABLE";
}
