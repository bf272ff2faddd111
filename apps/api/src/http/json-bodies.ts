import type { MiddlewareHandler } from "hono";
import { refuse } from "./refusal.ts";

const BODYLESS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Bodies must be JSON (415 otherwise), checked before anything reads them. A browser sends forms and text
 * cross-site without a CORS preflight, and tRPC would take `multipart/form-data` and
 * `application/octet-stream` as a mutation's input; `application/json` always needs a preflight cross-site.
 * A request with no body and no Content-Type (a bare DELETE) carries nothing to misread and passes.
 */
export function jsonBodiesOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (BODYLESS.has(c.req.method)) return next();
    const type = c.req.header("content-type");
    if (type === undefined) {
      const length = c.req.header("content-length");
      const hasBody =
        c.req.header("transfer-encoding") !== undefined || (length !== undefined && length !== "0");
      if (!hasBody) return next();
    } else if (isJson(type)) {
      return next();
    }
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
