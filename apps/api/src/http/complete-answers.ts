import type { MiddlewareHandler } from "hono";
import { API_ANSWER_HEADER_RECORD } from "./guards/api-answer-headers.ts";

// Answers built whole by their handler: every header the middlewares around it would add is already there.
const complete = new WeakSet<Response>();

/**
 * A JSON answer of the API with all its headers at once, as one plain record: its own, the security headers
 * of an API answer (guards/security-headers.ts) and the request id (request-log.ts), which those two
 * middlewares then leave alone. Headers set one by one after the handler made node-server build a Fetch
 * `Headers` (undici's, validated name by name) and turn it back into a record to write: a few microseconds
 * of every key lookup. A middleware that replaces the response gets the usual path (the set does not hold
 * the new one).
 */
export function completeJsonAnswer(
  requestId: string,
  body: string,
  status: number,
  headers: Readonly<Record<string, string>>,
): Response {
  const res = new Response(body, {
    status,
    headers: {
      "content-type": "application/json",
      ...headers,
      ...API_ANSWER_HEADER_RECORD,
      "x-request-id": requestId,
    },
  });
  complete.add(res);
  return res;
}

/** True for an answer `completeJsonAnswer` built (nothing to add to it). */
export function isCompleteAnswer(res: Response): boolean {
  return complete.has(res);
}

const isHeaderRecord = (headers: unknown): headers is Record<string, string> =>
  headers === undefined ||
  (typeof headers === "object" &&
    headers !== null &&
    Object.getPrototypeOf(headers) === Object.prototype &&
    Object.entries(headers).every(
      ([name, value]) => typeof value === "string" && name.toLowerCase() !== "content-type",
    ));

/**
 * Routes that answer with `c.json(body, status[, headers])` (the REST routes) get complete answers too:
 * the same JSON, status and headers, written at once. Any other use of `c.json` (no status, a ResponseInit,
 * a content type of its own) keeps Hono's.
 */
export function completeJsonAnswers(): MiddlewareHandler<{ Variables: { requestId: string } }> {
  return async (c, next) => {
    const json = c.json;
    c.json = ((object: unknown, arg?: unknown, headers?: unknown) =>
      typeof arg === "number" && isHeaderRecord(headers)
        ? completeJsonAnswer(c.get("requestId"), JSON.stringify(object), arg, headers ?? {})
        : (json as (...args: unknown[]) => Response)(object, arg, headers)) as typeof c.json;
    await next();
  };
}
