import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { InlineHashes } from "./inline-hashes.ts";

/**
 * Browser hardening on every response: a Content-Security-Policy allowing only what the built SPA needs
 * (its own scripts, styles, fonts and images, the inline blocks of its prerendered pages by hash, and
 * fetch/EventSource to its own API; `data:` images for inline SVG icons), no framing by anyone
 * (frame-ancestors 'none', X-Frame-Options DENY), no MIME sniffing, no Referer leaving the app, and Hono's
 * other defaults (COOP/CORP same-origin, HSTS, ...).
 */
export function securityHeaders(inline: InlineHashes = { scripts: [], styles: [] }): MiddlewareHandler {
  return secureHeaders({
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
}
