import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { InlineHashes } from "./inline-hashes.ts";

/**
 * What a JSON answer of the API needs from a browser's point of view: it is never rendered as a page (no
 * sniffing it into HTML, and if it were rendered, nothing loads and nothing frames it), no other site may
 * embed it (CORP), and HTTPS stays on. The page headers (a CSP listing the SPA's sources, Referrer-Policy,
 * COOP, X-Frame-Options, Origin-Agent-Cluster, X-DNS-Prefetch-Control, X-Download-Options,
 * X-Permitted-Cross-Domain-Policies, X-XSS-Protection) govern documents and cost every key lookup about
 * 600 bytes and a dozen header writes.
 */
const API_ANSWER_HEADERS: readonly (readonly [string, string])[] = [
  ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"],
  ["X-Content-Type-Options", "nosniff"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
];

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
    if (!isJsonAnswer(c.res.headers.get("content-type"))) return pageHeaders(c, noop);
    const headers = c.res.headers;
    for (const [name, value] of API_ANSWER_HEADERS) headers.set(name, value);
  };
}
