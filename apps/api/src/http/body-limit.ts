import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { refuse } from "./refusal.ts";

/**
 * 413 for a body over `maxBytes`, before it is parsed: by Content-Length at once, else while it streams in
 * (chunked), so a large body is never buffered whole. Hono's own body limit, answered in the API's shape.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => refuse(c, "PAYLOAD_TOO_LARGE", `Request body larger than ${maxBytes} bytes`),
  });
}
