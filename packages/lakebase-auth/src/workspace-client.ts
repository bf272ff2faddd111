import { type ConfigOptions, WorkspaceClient } from "@databricks/sdk-experimental";
import type { WorkspaceConfig } from "@lakebase-orders/config";

/** The default deadline of one API call, retries included, when the configuration does not say. */
export const DEFAULT_DATABRICKS_TIMEOUT_SECONDS = 30;

/**
 * A WorkspaceClient from the configured credentials. The auth type is pinned when the settings say which one
 * is meant: inside Apps the client id/secret are always set, and a developer's DATABRICKS_TOKEN next to them
 * would otherwise make the SDK refuse two auth methods. An `http://` host works (the local Lakebase).
 */
export function createWorkspaceClient(ws: WorkspaceConfig, overrides: ConfigOptions = {}): WorkspaceClient {
  const options: ConfigOptions = {};
  if (ws.host) options.host = ws.host;
  if (ws.token) {
    Object.assign(options, { token: ws.token, authType: "pat" });
  } else if (ws.clientId && ws.clientSecret) {
    Object.assign(options, { clientId: ws.clientId, clientSecret: ws.clientSecret, authType: "oauth-m2m" });
  } else if (ws.profile) {
    options.profile = ws.profile;
  }
  // The SDK retries 429 for up to 300 s by default, which would hold a cold connection or an admin operation
  // hostage; every call here gets the configured budget instead (DATABRICKS_TIMEOUT_SECONDS). The token
  // provider adds its own bounded, jittered retries, and the Lakebase admin a hard deadline per call.
  const timeout = ws.timeoutSeconds ?? DEFAULT_DATABRICKS_TIMEOUT_SECONDS;
  options.retryTimeoutSeconds = timeout;
  // The socket's idle timeout: a server that stops answering mid-request is noticed within this.
  options.httpTimeoutSeconds = Math.min(timeout, 10);
  return new WorkspaceClient({ ...options, ...overrides });
}
