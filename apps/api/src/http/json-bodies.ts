import type { MiddlewareHandler } from "hono";
import { refuse } from "./refusal.ts";

/**
 * Bodies must be JSON (415 otherwise), checked before anything reads them. A browser sends a POST of a
 * form or of text cross-site without a CORS preflight (and a bodyless POST with no Content-Type too), and
 * tRPC would take `multipart/form-data` and `application/octet-stream` as a mutation's input; a POST of
 * `application/json` always needs a preflight cross-site. So every POST must say `application/json`; other
 * methods (which always need a preflight) only may not carry another type.
 */
export function jsonBodiesOnly(): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD" || method === "OPTIONS") return next();
    const type = c.req.header("content-type");
    if (type === undefined ? method !== "POST" : isJson(type)) return next();
    return refuse(c, "UNSUPPORTED_MEDIA_TYPE", "Request bodies must be application/json");
  };
}

/** `application/json`, optionally with `charset=utf-8` (the only encoding the JSON parser reads). */
function isJson(contentType: string): boolean {
  const [media, ...params] = contentType
    .toLowerCase()
    .split(";")
    .map((p) => p.trim());
  if (media !== "application/json") return false;
  return params.every((p) => !p.startsWith("charset=") || p.replace(/"/g, "") === "charset=utf-8");
}
