import { type ConfigOptions, WorkspaceClient } from "@databricks/sdk-experimental";

export type Env = Record<string, string | undefined>;

/**
 * A WorkspaceClient from the SDK's standard variables. The auth type is pinned when the variables say which
 * one is meant: inside Apps the client id/secret are always set, and a developer's DATABRICKS_TOKEN next to
 * them would otherwise make the SDK refuse two auth methods. An `http://` host works (the local Lakebase).
 */
export function createWorkspaceClient(env: Env, overrides: ConfigOptions = {}): WorkspaceClient {
  const options: ConfigOptions = { host: env.DATABRICKS_HOST };
  if (env.DATABRICKS_TOKEN) {
    Object.assign(options, { token: env.DATABRICKS_TOKEN, authType: "pat" });
  } else if (env.DATABRICKS_CLIENT_ID && env.DATABRICKS_CLIENT_SECRET) {
    Object.assign(options, {
      clientId: env.DATABRICKS_CLIENT_ID,
      clientSecret: env.DATABRICKS_CLIENT_SECRET,
      authType: "oauth-m2m",
    });
  } else if (env.DATABRICKS_CONFIG_PROFILE) {
    options.profile = env.DATABRICKS_CONFIG_PROFILE;
  }
  // The SDK retries 429 for up to 300 s by default, which would hold a cold connection hostage; the token
  // provider has its own bounded, jittered retries.
  options.retryTimeoutSeconds = 30;
  return new WorkspaceClient({ ...options, ...overrides });
}
