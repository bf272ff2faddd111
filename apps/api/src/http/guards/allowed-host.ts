import type { MiddlewareHandler } from "hono";
import { isAllowedHost } from "../../identity/hosts.ts";
import { remoteAddressOf } from "../../identity/identify.ts";
import { type Check, checks } from "./checks.ts";
import { refuse } from "./refusal.ts";

export interface AllowedHostOptions {
  /** Inside Databricks Apps the proxy is the only way in and chooses the Host: no check there. */
  inDatabricksApp: boolean;
  /** Names besides the loopback ones (ALLOWED_HOSTS). */
  allowedHosts: readonly string[];
}

/**
 * Refuses (403, before any route, the SPA's files included) a request that names another host than this
 * server's: outside Databricks Apps, only loopback names and ALLOWED_HOSTS. A web page whose name was rebound
 * to 127.0.0.1 (DNS rebinding) sends its own name, and gets nothing: no data, no admin, not even the SPA. In
 * process requests (`app.request`, no network) are not checked.
 */
export function allowedHostOnly(options: AllowedHostOptions): MiddlewareHandler {
  return checks(allowedHostCheck(options));
}

/** `allowedHostOnly` as a check, to run with others in one level. */
export function allowedHostCheck(options: AllowedHostOptions): Check {
  return (c) => {
    if (options.inDatabricksApp || remoteAddressOf(c) === null) return undefined;
    const host = c.req.header("host");
    if (isAllowedHost(host, options.allowedHosts)) return undefined;
    const shown = (host ?? "").replace(/[^\x21-\x7e]/g, "?").slice(0, 80);
    return refuse(
      c,
      "FORBIDDEN",
      `Host "${shown}" is not this server's: use localhost, or add it to ALLOWED_HOSTS`,
    );
  };
}
