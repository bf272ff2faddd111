import type { MiddlewareHandler } from "hono";
import { type Check, checks } from "./checks.ts";
import { isReadOnlyMethod } from "./methods.ts";
import { refuse } from "./refusal.ts";

/**
 * Bodies must be JSON (415 otherwise), checked before anything reads them. A browser posts forms and text
 * cross-site without a CORS preflight, and tRPC would take `multipart/form-data` and
 * `application/octet-stream` as a mutation's input; a body of `application/json` always needs a preflight
 * cross-site. A request without a body (no Content-Length, or 0, and no Transfer-Encoding) and without a
 * Content-Type carries nothing to misread and passes (REST's query-only POSTs; tRPC refuses it itself).
 */
export function jsonBodiesOnly(): MiddlewareHandler {
  return checks(jsonBodiesCheck());
}

/** `jsonBodiesOnly` as a check, to run with others in one level. */
export function jsonBodiesCheck(): Check {
  return (c) => {
    if (isReadOnlyMethod(c.req.method)) return undefined;
    const type = c.req.header("content-type");
    const length = c.req.header("content-length");
    const hasBody =
      c.req.header("transfer-encoding") !== undefined || (length !== undefined && length !== "0");
    if (type === undefined ? !hasBody : isJson(type)) return undefined;
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
