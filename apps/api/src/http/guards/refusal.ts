import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isReadOnlyMethod } from "./methods.ts";

/**
 * The answer of a request refused before any route runs (cross-site, too large, wrong content type, too
 * many), in the error shape of the surface it was sent to:
 * - under /api/trpc, a tRPC error, so that the SPA's client reads it as one (a batch too: the client hands
 *   a non-array answer to every call of the batch): `{ "error": { "message", "code", "data": { "code",
 *   "httpStatus" } } }`;
 * - anywhere else (REST, health), `{ "detail": "<reason phrase>: <message>" }` as the REST routes answer.
 */
export function refuse(
  c: Context,
  code: TRPC_ERROR_CODE_KEY,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const httpStatus = getHTTPStatusCodeFromError(new TRPCError({ code }));
  const body = c.req.path.startsWith("/api/trpc/")
    ? { error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus } } }
    : { detail: `${REASONS[code] ?? code}: ${message}` };
  // A refused request's body is left unread, and Node ends such a connection after the answer: say so, or
  // a keep-alive client would send its next request down a socket that is about to close.
  const unread = !isReadOnlyMethod(c.req.method);
  return c.json(
    body,
    httpStatus as ContentfulStatusCode,
    unread ? { ...headers, Connection: "close" } : headers,
  );
}

const REASONS: Partial<Record<TRPC_ERROR_CODE_KEY, string>> = {
  BAD_REQUEST: "Bad Request",
  FORBIDDEN: "Forbidden",
  PAYLOAD_TOO_LARGE: "Payload Too Large",
  UNSUPPORTED_MEDIA_TYPE: "Unsupported Media Type",
  TOO_MANY_REQUESTS: "Too Many Requests",
};
