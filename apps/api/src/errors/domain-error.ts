/** What went wrong, in the domain's words; one mapping (`to-trpc-error.ts`) turns kinds into wire codes. */
export type DomainErrorKind =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "precondition_failed"
  | "too_many_requests"
  | "unavailable"
  | "not_implemented"
  | "internal";

/** The Databricks error behind a failure, for clients to recognise (`error.data.databricks` on the wire). */
export interface DatabricksErrorData {
  errorCode: string;
  statusCode: number;
}

export interface DomainErrorOptions {
  cause?: unknown;
  databricks?: DatabricksErrorData | null;
  /** When to ask again (the `Retry-After` header); an "unavailable" error says 5 s unless told. */
  retryAfterSeconds?: number;
}

/** What an "unavailable" (503) answer says in `Retry-After` when its cause gives no better figure. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * An error domain code throws on purpose. Its message is meant for the caller (it reaches the client as
 * is, so it never carries driver text or secrets); the cause stays in the server log.
 */
export class DomainError extends Error {
  override readonly name = "DomainError";
  readonly kind: DomainErrorKind;
  readonly databricks: DatabricksErrorData | null;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: DomainErrorKind, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.databricks = options.databricks ?? null;
    this.retryAfterSeconds =
      options.retryAfterSeconds ?? (kind === "unavailable" ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
  }
}

/** The `Retry-After` header a failure's answer carries (503 and 429 say when to ask again), or none. */
export function retryAfterHeaders(error: unknown): Record<string, string> {
  const seconds = isDomainError(error) ? error.retryAfterSeconds : undefined;
  return seconds === undefined ? {} : { "Retry-After": String(seconds) };
}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;

export const notFound = (message: string) => new DomainError("not_found", message);
export const conflict = (message: string) => new DomainError("conflict", message);
export const badRequest = (message: string) => new DomainError("bad_request", message);
export const forbidden = (message: string) => new DomainError("forbidden", message);
export const unauthorized = (message: string) => new DomainError("unauthorized", message);
export const preconditionFailed = (message: string, cause?: unknown) =>
  new DomainError("precondition_failed", message, { cause });
export const unavailable = (message: string, cause?: unknown, retryAfterSeconds?: number) =>
  new DomainError("unavailable", message, {
    cause,
    ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
  });
