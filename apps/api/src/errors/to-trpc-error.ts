import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { type DomainErrorKind, isDomainError } from "./domain-error.ts";

const TRPC_CODES: Record<DomainErrorKind, TRPC_ERROR_CODE_KEY> = {
  bad_request: "BAD_REQUEST",
  unauthorized: "UNAUTHORIZED",
  forbidden: "FORBIDDEN",
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  precondition_failed: "PRECONDITION_FAILED",
  too_many_requests: "TOO_MANY_REQUESTS",
  unavailable: "SERVICE_UNAVAILABLE",
  not_implemented: "NOT_IMPLEMENTED",
  internal: "INTERNAL_SERVER_ERROR",
};

/** HTTP statuses of the same kinds, for routes outside tRPC. */
export const HTTP_STATUSES: Record<DomainErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  too_many_requests: 429,
  unavailable: 503,
  not_implemented: 501,
  internal: 500,
};

/**
 * The one mapping from domain errors to tRPC errors. tRPC wraps whatever a procedure throws in an
 * INTERNAL_SERVER_ERROR whose cause is the original; a domain error there gets its own code and message,
 * and keeps itself as the cause (the error formatter reads its Databricks data, the log its cause chain).
 */
export function toTrpcError(error: TRPCError): TRPCError {
  const domain = isDomainError(error) ? error : isDomainError(error.cause) ? error.cause : null;
  if (!domain) return error;
  return new TRPCError({ code: TRPC_CODES[domain.kind], message: domain.message, cause: domain });
}
