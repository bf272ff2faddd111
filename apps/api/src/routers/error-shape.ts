import type { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { ZodError, z } from "zod";
import { isDomainError } from "../errors/domain-error.ts";

/**
 * What a failed procedure answers on the wire (`{"error": <shape>}`), whichever path called it: tRPC's own
 * handler (the router's error formatter returns this) and the single-query path (http/trpc/single-query.ts).
 * tRPC's default shape (its message, JSON-RPC code, `data.code`, `data.httpStatus`, `data.path`), built here
 * from tRPC's exported codes and status mapping, without the stack, plus what the SPA reads.
 */
export function errorShape(error: TRPCError, path: string | undefined) {
  return {
    // Internal errors keep their detail in the server log (with the request id), not on the wire.
    message: error.code === "INTERNAL_SERVER_ERROR" ? "Internal server error" : error.message,
    code: TRPC_ERROR_CODES_BY_KEY[error.code],
    data: {
      code: error.code,
      httpStatus: getHTTPStatusCodeFromError(error),
      ...(typeof path === "string" && { path }),
      zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
      // The Databricks error code behind a failed Lakebase call, for the SPA to recognise.
      databricks: isDomainError(error.cause) ? error.cause.databricks : null,
    },
  };
}

export type ErrorShape = ReturnType<typeof errorShape>;
