import { badRequest } from "../errors/domain-error.ts";
import { formatWriteToken, parseWriteToken, type WriteToken } from "../orders/writes/write-token.ts";

/** Sent with a status change's answer, and presented by API clients on their next reads. */
export const WRITE_POSITION_HEADER = "Orders-Write-Position";
/** The same for browsers: the SPA carries it on every request without knowing it. */
export const WRITE_POSITION_COOKIE = "orders_write_position";
// The longest anyone is kept on the primary after a write (recent-writers.ts): a later read needs nothing.
const COOKIE_SECONDS = 600;

/**
 * The write token a request presents: its header (a malformed one is the caller's mistake: 400), else its
 * cookie (a malformed or stale one is ignored: the browser sends what it was given).
 */
export function presentedWriteToken(headers: Headers): WriteToken | null {
  const header = headers.get(WRITE_POSITION_HEADER);
  if (header !== null) {
    const token = parseWriteToken(header);
    if (!token) {
      throw badRequest(
        `${WRITE_POSITION_HEADER} must be what a status change answered with (e.g. 42@16/B374D848)`,
      );
    }
    return token;
  }
  const cookie = cookieValue(headers.get("cookie"), WRITE_POSITION_COOKIE);
  return cookie === null ? null : parseWriteToken(cookie);
}

/**
 * The header and cookie of a status change's answer to `request` (`Secure` when the browser reached the app
 * over TLS, directly or through the Apps proxy).
 */
export function writePositionHeaders(token: WriteToken, request: Request): Record<string, string> {
  const text = formatWriteToken(token);
  const secure = request.url.startsWith("https:") || request.headers.get("x-forwarded-proto") === "https";
  return {
    [WRITE_POSITION_HEADER]: text,
    // Not a credential (write-token.ts), but no script needs it: HttpOnly; only the API reads it: Path=/api.
    "Set-Cookie": `${WRITE_POSITION_COOKIE}=${text}; Path=/api; Max-Age=${COOKIE_SECONDS}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`,
  };
}

function cookieValue(cookies: string | null, name: string): string | null {
  if (!cookies) return null;
  for (const part of cookies.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
