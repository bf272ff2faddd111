import type { MiddlewareHandler } from "hono";
import { refuse } from "./refusal.ts";

/**
 * Refuses a path that does not decode (a stray `%`, an invalid UTF-8 escape such as `%C0%AE`) with 400
 * before anything tries to decode it and throws. Query strings need no check: URLSearchParams keeps a bad
 * escape as text, and the input parser then refuses it.
 */
export function wellFormedUrl(): MiddlewareHandler {
  return async (c, next) => {
    try {
      decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      return refuse(c, "BAD_REQUEST", "Malformed URL: the path has an invalid percent-escape");
    }
    await next();
  };
}
