import type { WorkspaceConfig } from "@lakebase-orders/config";
import { DatabaseApi, type DatabaseApiOptions } from "@lakebase-orders/lakebase-api";
import { createWorkspaceClient } from "@lakebase-orders/lakebase-auth";

/**
 * The factory of per-user APIs for `LakebaseAdminOptions.userApi`: the workspace's host with the user's own
 * token, as a personal access token (`authType: "pat"`: inside Apps the service principal's client id and
 * secret are set too, and the SDK would refuse two auth methods). Undefined without a host to call.
 */
export function userApiFactory(
  workspace: WorkspaceConfig,
  options: DatabaseApiOptions = {},
): ((credentials: { token: string }) => DatabaseApi) | undefined {
  const host = workspace.host;
  if (!host) return undefined;
  return ({ token }) =>
    new DatabaseApi(
      createWorkspaceClient({ host, token, clientId: null, clientSecret: null, profile: null }),
      options,
    );
}
