import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

const BODYLESS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The answer of a request refused before any procedure runs (cross-site, too large, wrong content type,
 * too many). Shaped like a tRPC error so that the SPA's client reads it as one (a batch too: the client
 * hands a non-array answer to every call of the batch), and readable as plain JSON by anyone else:
 * `{ "error": { "message", "code", "data": { "code", "httpStatus" } } }`.
 */
export function refuse(
  c: Context,
  code: TRPC_ERROR_CODE_KEY,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const httpStatus = getHTTPStatusCodeFromError(new TRPCError({ code }));
  const body = { error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus } } };
  // A refused request's body is left unread, and Node ends such a connection after the answer: say so, or
  // a keep-alive client would send its next request down a socket that is about to close.
  const unread = !BODYLESS.has(c.req.method);
  return c.json(
    body,
    httpStatus as ContentfulStatusCode,
    unread ? { ...headers, Connection: "close" } : headers,
  );
}
