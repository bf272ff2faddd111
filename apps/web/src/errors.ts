import type { AppRouter } from "@lakebase-orders/api";
import { TRPCClientError } from "@trpc/client";

export interface ErrorInfo {
  /** tRPC code such as CONFLICT, or NETWORK when the server could not be reached. */
  code: string;
  /** The kind of failure in words, e.g. "Not found". */
  title: string;
  /** What went wrong, as a sentence (never the wire's JSON). */
  message: string;
  /** Databricks error code (e.g. RESOURCE_ALREADY_EXISTS) when the failure came from Databricks. */
  databricksCode: string | null;
  nextStep: string;
  /** Whether trying the same request again may work (a Retry button is offered only then). */
  retryable: boolean;
  /** The server's refusals of single input fields, as sentences, by field name (`dateFrom`, `status`...). */
  fields: Readonly<Record<string, string>>;
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

/** Answers that the same request would get again: asking again (a Retry button) cannot help. */
const SETTLED_CODES: ReadonlySet<string> = new Set([
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "PRECONDITION_FAILED",
]);

const TITLE_BY_CODE: Readonly<Record<string, string>> = {
  BAD_REQUEST: "Check the input",
  UNAUTHORIZED: "Signed out",
  FORBIDDEN: "Not allowed",
  NOT_FOUND: "Not found",
  CONFLICT: "Changed by someone else",
  PRECONDITION_FAILED: "Not ready yet",
  TOO_MANY_REQUESTS: "Too many requests",
  SERVICE_UNAVAILABLE: "Temporarily unavailable",
  NETWORK: "No connection to the app",
  INTERNAL_SERVER_ERROR: "Something went wrong",
};

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
  NOT_FOUND: "Check the key or the name.",
  CONFLICT: "The latest value is shown: review it, then make your change again if you still want it.",
  PRECONDITION_FAILED: "The message says what is missing; this view retries on its own.",
  TOO_MANY_REQUESTS: "Wait a moment and try again.",
  SERVICE_UNAVAILABLE: "Try again in a few minutes.",
  NETWORK: "Check the connection to the app and retry.",
};

/** The input fields of the API as the screen names them. */
const FIELD_NAMES: Readonly<Record<string, string>> = {
  dateFrom: "From",
  dateTo: "To",
  status: "Status",
  priority: "Priority",
  sort: "Sort",
  page: "Page",
  pageSize: "Rows per page",
  orderKey: "Order key",
  columns: "Columns",
  name: "Name",
};

const FIELD_IN_TEXT = new RegExp(`\\b(${Object.keys(FIELD_NAMES).join("|")})\\b`, "g");

/** A field's name as on screen, quoted: `dateFrom` reads “From”. */
export function fieldName(field: string): string {
  return `“${FIELD_NAMES[field] ?? field}”`;
}

/** A validation message as a sentence about the field, with the API's field names replaced by the screen's. */
function fieldSentence(field: string, message: string): string {
  const text = message.replace(FIELD_IN_TEXT, (name) => fieldName(name)).replace(/\.$/, "");
  // "must be a date from ..." continues the field's name; anything else follows it after a colon.
  const sentence = /^(must|should|is|cannot)\b/.test(text)
    ? `${fieldName(field)} ${text}`
    : text.includes("“")
      ? text.charAt(0).toUpperCase() + text.slice(1)
      : `${fieldName(field)}: ${text}`;
  return `${sentence}.`;
}

/** The zod refusal the API attaches to a BAD_REQUEST (`data.zodError`, flattened), as sentences. */
function validationOf(error: unknown): { fields: Record<string, string>; general: string[] } | null {
  const zod = asClientError(error)?.data?.zodError;
  if (!zod) return null;
  const fields: Record<string, string> = {};
  for (const [field, messages] of Object.entries(zod.fieldErrors)) {
    const first = (messages as string[] | undefined)?.[0];
    if (first) fields[field] = fieldSentence(field, first);
  }
  return { fields, general: zod.formErrors.map((m) => fieldSentence("", m).replace(/^“”:? /, "")) };
}

function messageOf(error: unknown, code: string): string {
  const raw = error instanceof Error ? error.message : String(error);
  if (code === "CONFLICT") return "Someone else changed it first, so this change was not saved.";
  // A message that is the wire's own JSON (a refusal without a readable text) is never shown as such.
  if (/^\s*[[{]/.test(raw)) return "The request was refused as invalid.";
  return raw;
}

export function describeError(error: unknown): ErrorInfo {
  const code = codeOf(error);
  const databricksCode = databricksCodeOf(error);
  const validation = validationOf(error);
  const sentences = validation ? [...Object.values(validation.fields), ...validation.general] : [];
  const message = sentences.length > 0 ? sentences.join(" ") : messageOf(error, code);
  const nextStep =
    (databricksCode && NEXT_STEP_BY_DATABRICKS_CODE[databricksCode]) ||
    NEXT_STEP_BY_CODE[code] ||
    "Retry; if it keeps failing, check the server logs with the request id.";
  return {
    code,
    title: TITLE_BY_CODE[code] ?? "Something went wrong",
    message,
    databricksCode,
    nextStep,
    retryable: !SETTLED_CODES.has(code),
    fields: validation?.fields ?? {},
  };
}

export function isStillSyncing(error: unknown): boolean {
  return codeOf(error) === "PRECONDITION_FAILED";
}

export function isNotFound(error: unknown): boolean {
  return codeOf(error) === "NOT_FOUND";
}

/** The server (or the database behind it) cannot answer now; it may later, without anything changing here. */
export function isUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  return code === "SERVICE_UNAVAILABLE" || code === "NETWORK";
}

/** Only transient failures are worth an automatic retry. */
export function isRetryable(error: unknown): boolean {
  const code = codeOf(error);
  return code === "NETWORK" || code === "INTERNAL_SERVER_ERROR" || code === "SERVICE_UNAVAILABLE";
}
