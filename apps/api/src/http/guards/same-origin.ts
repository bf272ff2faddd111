import type { MiddlewareHandler } from "hono";
import { type Check, checks } from "./checks.ts";
import { refuse } from "./refusal.ts";

export interface SameOriginOptions {
  /** Other origins a browser may call from (ALLOWED_ORIGINS), e.g. `https://tools.example.com`. */
  allowedOrigins?: readonly string[];
  /** X-Forwarded-Host names the host the browser used (behind the Apps proxy, or TRUST_FORWARDED_HEADERS). */
  trustForwardedHost?: boolean;
}

/**
 * Refuses (403, before any work) a request a browser sent on behalf of another site: a form posted from
 * evil.example, an <img> pointing at a costly batch, a fetch with `mode: "no-cors"`. Browsers say where a
 * request comes from in Sec-Fetch-Site (every current one) and Origin; only `same-origin` and `none` (typed
 * or bookmarked) pass. `same-site` is refused too: sibling apps share a parent domain. Requests without
 * either header do not come from a browser page (curl, the SDKs) and cannot carry a user's session
 * unknowingly, so they pass.
 *
 * @example
 * app.use("/api/*", sameOriginOnly({ allowedOrigins: config.server.allowedOrigins }));
 */
export function sameOriginOnly(options: SameOriginOptions = {}): MiddlewareHandler {
  return checks(sameOriginCheck(options));
}

/** `sameOriginOnly` as a check, to run with others in one level. */
export function sameOriginCheck(options: SameOriginOptions = {}): Check {
  const allowed = new Set(options.allowedOrigins ?? []);
  return (c) => {
    const origin = c.req.header("origin");
    if (origin && allowed.has(origin)) return undefined;
    const site = c.req.header("sec-fetch-site");
    if (site !== undefined) {
      if (site === "same-origin" || site === "none") return undefined;
      return refuse(c, "FORBIDDEN", `Cross-site request refused (Sec-Fetch-Site: ${site.slice(0, 20)})`);
    }
    if (origin === undefined) return undefined;
    const hosts = [new URL(c.req.url).host];
    const forwarded = options.trustForwardedHost ? c.req.header("x-forwarded-host") : undefined;
    if (forwarded) hosts.push(forwarded.split(",")[0]!.trim());
    if (URL.canParse(origin) && hosts.includes(new URL(origin).host)) return undefined;
    return refuse(c, "FORBIDDEN", "Cross-origin request refused");
  };
}
