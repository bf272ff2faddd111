import { WorkspaceClient } from "@databricks/sdk-experimental";
import type { LakebaseLocal } from "../src/index.ts";

export {
  createOAuthRole,
  type PostgresOperation,
  patchPostgres,
  postgresCall,
  postgresMutate,
  waitForOperation,
} from "./postgres.ts";

/** Test timings: transitions in milliseconds so the suite stays fast. */
export const FAST = {
  instanceStartMs: 30,
  instanceDeleteMs: 20,
  pipelineStepMs: 40,
  continuousIntervalMs: 100,
};

export function sdkFor(local: LakebaseLocal, token = local.workspaceToken): WorkspaceClient {
  return new WorkspaceClient({ host: local.restUrl, token, authType: "pat" });
}

/** A client that signs in as a service principal through the OAuth M2M flow (the SDK's `oauth-m2m`). */
export function sdkForServicePrincipal(
  local: LakebaseLocal,
  { clientId, clientSecret }: { clientId: string; clientSecret: string },
): WorkspaceClient {
  return new WorkspaceClient({ host: local.restUrl, clientId, clientSecret, authType: "oauth-m2m" });
}

/** PATCH with the SDK's own auth header: the SDK's updateDatabaseInstance drops the body. */
export async function patchInstance(
  w: WorkspaceClient,
  name: string,
  updateMask: string,
  body: Record<string, unknown>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers = new Headers({ "Content-Type": "application/json" });
  await w.config.authenticate(headers);
  const host = await w.config.getHost();
  const url = new URL(`/api/2.0/database/instances/${name}`, host);
  url.searchParams.set("update_mask", updateMask);
  const response = await fetch(url, { method: "PATCH", headers, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/**
 * PATCH (add grants to) an instance's permissions with the SDK's own auth header: the SDK's
 * `permissions.update` sends its PATCH without a body. `w.permissions.set` (PUT, replace) works as is.
 */
export async function patchPermissions(
  w: WorkspaceClient,
  instanceName: string,
  accessControlList: Record<string, string>[],
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers = new Headers({ "Content-Type": "application/json" });
  await w.config.authenticate(headers);
  const host = await w.config.getHost();
  const url = new URL(`/api/2.0/permissions/database-instances/${instanceName}`, host);
  const response = await fetch(url, {
    method: "PATCH",
    headers,
    body: JSON.stringify({ access_control_list: accessControlList }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

export async function until<T>(
  fn: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The rejection of a promise (fails the test when it resolves). */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<{ statusCode?: number; errorCode?: string; code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { statusCode?: number; errorCode?: string; code?: string; message: string };
  }
  throw new Error("expected a rejection");
}
