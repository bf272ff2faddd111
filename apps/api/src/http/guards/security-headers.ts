import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { isCompleteAnswer } from "../complete-answers.ts";
import { API_ANSWER_HEADERS } from "./api-answer-headers.ts";
import type { InlineHashes } from "./inline-hashes.ts";

const noop = async () => undefined;

/** `application/json` or `application/problem+json` (the REST problems), any parameters. */
function isJsonAnswer(contentType: string | null): boolean {
  return (
    contentType !== null &&
    (contentType.startsWith("application/json") || contentType.startsWith("application/problem+json"))
  );
}

/**
 * Browser hardening on every response: a Content-Security-Policy allowing only what the built SPA needs
 * (its own scripts, styles, fonts and images, the inline blocks of its prerendered pages by hash, and
 * fetch/EventSource to its own API; `data:` images for inline SVG icons), no framing by anyone
 * (frame-ancestors 'none', X-Frame-Options DENY), no MIME sniffing, no Referer leaving the app, and Hono's
 * other defaults (COOP/CORP same-origin, HSTS, ...). A JSON answer under /api gets the few of them a JSON
 * answer needs (API_ANSWER_HEADERS above); anything else there (the API docs' HTML, the CSV export) gets them
 * all.
 */
export function securityHeaders(inline: InlineHashes = { scripts: [], styles: [] }): MiddlewareHandler {
  const pageHeaders = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", ...inline.scripts],
      styleSrc: ["'self'", ...inline.styles],
      imgSrc: ["'self'", "data:"],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: "DENY",
    referrerPolicy: "no-referrer",
    xContentTypeOptions: true,
  });
  return async (c, next) => {
    if (!c.req.path.startsWith("/api/")) return pageHeaders(c, next);
    await next();
    if (isCompleteAnswer(c.res)) return;
    if (!isJsonAnswer(c.res.headers.get("content-type"))) return pageHeaders(c, noop);
    const headers = c.res.headers;
    for (const [name, value] of API_ANSWER_HEADERS) headers.set(name, value);
  };
}
