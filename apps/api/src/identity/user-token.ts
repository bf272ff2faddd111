import type { IdentityConfig } from "@lakebase-orders/config";
import type { Identity } from "./identity.ts";

// A token is a bearer credential: bounded like every header value, and never logged.
const TOKEN = /^[\x21-\x7e]{1,8192}$/;

/**
 * The signed-in user's Databricks token, as the Apps proxy forwards it (X-Forwarded-Access-Token, when the app
 * declares user_api_scopes); null outside Databricks Apps, where no proxy vouches for the header, and for a
 * caller the proxy did not name.
 */
export function userTokenOf(
  config: Pick<IdentityConfig, "inDatabricksApp">,
  identity: Identity,
  headers: Headers,
): string | null {
  if (!config.inDatabricksApp || identity.source !== "databricks-apps") return null;
  const token = headers.get("x-forwarded-access-token")?.trim() ?? "";
  return TOKEN.test(token) ? token : null;
}
