import type { MiddlewareHandler } from "hono";
import { type Check, checks } from "./checks.ts";
import { refuse } from "./refusal.ts";

/**
 * Refuses a path that does not decode (a stray `%`, an invalid UTF-8 escape such as `%C0%AE`) with 400
 * before anything tries to decode it and throws. Query strings need no check: URLSearchParams keeps a bad
 * escape as text, and the input parser then refuses it.
 */
export function wellFormedUrl(): MiddlewareHandler {
  return checks(wellFormedUrlCheck());
}

/** `wellFormedUrl` as a check, to run with others in one level. */
export function wellFormedUrlCheck(): Check {
  return (c) => {
    // Runs on every request: the path is cut from the URL string, and only one with an escape is decoded.
    const url = c.req.url;
    const query = url.indexOf("?");
    const path = query < 0 ? url : url.slice(0, query);
    if (path.includes("%")) {
      try {
        decodeURIComponent(path);
      } catch {
        return refuse(c, "BAD_REQUEST", "Malformed URL: the path has an invalid percent-escape");
      }
    }
    return undefined;
  };
}
