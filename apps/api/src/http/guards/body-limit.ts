import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { refuse } from "./refusal.ts";

/**
 * 413 for a body over `maxBytes`, before it is parsed: by Content-Length at once, else while it streams in
 * (chunked), so a large body is never buffered whole. Hono's own body limit, answered in the API's shape.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: (c) => refuse(c, "PAYLOAD_TOO_LARGE", `Request body larger than ${maxBytes} bytes`),
  });
  // The Node adapter never reads a GET's or HEAD's body, and asking for one (Hono's limiter looks at
  // `raw.body` first) builds the full fetch Request that the direct GET path exists to avoid.
  return (c, next) => (c.req.method === "GET" || c.req.method === "HEAD" ? next() : limit(c, next));
}
