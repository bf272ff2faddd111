/**
 * What a JSON answer of the API needs from a browser's point of view: it is never rendered as a page (no
 * sniffing it into HTML, and if it were rendered, nothing loads and nothing frames it), no other site may
 * embed it (CORP), and HTTPS stays on. The page headers (a CSP listing the SPA's sources, Referrer-Policy,
 * COOP, X-Frame-Options, Origin-Agent-Cluster, X-DNS-Prefetch-Control, X-Download-Options,
 * X-Permitted-Cross-Domain-Policies, X-XSS-Protection) govern documents and cost every key lookup about
 * 600 bytes and a dozen header writes.
 */
export const API_ANSWER_HEADERS: readonly (readonly [string, string])[] = [
  ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"],
  ["X-Content-Type-Options", "nosniff"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
];

/** The same, as the lower-case header record a handler may send whole (http/complete-answers.ts). */
export const API_ANSWER_HEADER_RECORD: Readonly<Record<string, string>> = Object.fromEntries(
  API_ANSWER_HEADERS.map(([name, value]) => [name.toLowerCase(), value]),
);
