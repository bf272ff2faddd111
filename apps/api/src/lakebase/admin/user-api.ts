import type { WorkspaceClient } from "@databricks/sdk-experimental";
import type { WorkspaceConfig } from "@lakebase-orders/config";
import { DatabaseApi, type DatabaseApiOptions, PostgresApi } from "@lakebase-orders/lakebase-api";
import { createWorkspaceClient } from "@lakebase-orders/lakebase-auth";

/**
 * A factory of per-user APIs for the admin's `userApi`: the workspace's host with the user's own token, as
 * a personal access token (`authType: "pat"`: inside Apps the service principal's client id and secret are
 * set too, and the SDK would refuse two auth methods). Undefined without a host to call.
 */
function userClients(workspace: WorkspaceConfig): ((token: string) => WorkspaceClient) | undefined {
  const host = workspace.host;
  if (!host) return undefined;
  return (token) => createWorkspaceClient({ host, token, clientId: null, clientSecret: null, profile: null });
}

/** Provisioned: the `database` API as the signed-in user. */
export function userApiFactory(
  workspace: WorkspaceConfig,
  options: DatabaseApiOptions = {},
): ((credentials: { token: string }) => DatabaseApi) | undefined {
  const client = userClients(workspace);
  return client && (({ token }) => new DatabaseApi(client(token), options));
}

/** Autoscaling: the `postgres` API as the signed-in user. */
export function userPostgresApiFactory(
  workspace: WorkspaceConfig,
  options: DatabaseApiOptions = {},
): ((credentials: { token: string }) => PostgresApi) | undefined {
  const client = userClients(workspace);
  return client && (({ token }) => new PostgresApi(client(token), options));
}
