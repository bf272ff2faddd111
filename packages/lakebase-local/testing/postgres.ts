import type { WorkspaceClient } from "@databricks/sdk-experimental";

/** A `postgres` API operation (every mutation answers one). */
export interface PostgresOperation<T = unknown> {
  name: string;
  done: boolean;
  metadata?: { "@type": string };
  response?: T;
  error?: { error_code: string; message: string };
}

type Query = Record<string, string | number | boolean | undefined>;

/**
 * One call of the `postgres` API with the SDK's own client (`w.apiClient.request`, as AppKit calls it):
 * its auth, retries (429/503) and `ApiError`s. The SDK sends no body with PATCH, so PATCH goes through
 * fetch with the SDK's auth header instead (see `patchPostgres`).
 */
export async function postgresCall<T = unknown>(
  w: WorkspaceClient,
  method: "GET" | "POST" | "DELETE" | "PATCH",
  path: string,
  options: { query?: Query; body?: unknown } = {},
): Promise<T> {
  if (method === "PATCH") return patchPostgres<T>(w, path, options.query ?? {}, options.body);
  const query = Object.fromEntries(
    Object.entries(options.query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );
  return (await w.apiClient.request(
    {
      path: `/api/2.0/postgres/${path.replace(/^\//, "")}`,
      method,
      headers: new Headers({ "Content-Type": "application/json", Accept: "application/json" }),
      raw: false,
      query,
      ...(options.body !== undefined ? { payload: options.body as Record<string, unknown> } : {}),
    },
    undefined,
  )) as T;
}

/** PATCH with a body (the SDK's apiClient drops PATCH bodies): the SDK's auth header, Databricks errors thrown. */
export async function patchPostgres<T>(
  w: WorkspaceClient,
  path: string,
  query: Query,
  body: unknown,
): Promise<T> {
  const headers = new Headers({ "Content-Type": "application/json" });
  await w.config.authenticate(headers);
  const url = new URL(`/api/2.0/postgres/${path.replace(/^\//, "")}`, await w.config.getHost());
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) url.searchParams.set(key, String(value));
  const response = await fetch(url, { method: "PATCH", headers, body: JSON.stringify(body ?? {}) });
  const json = (await response.json()) as T & { error_code?: string; message?: string };
  if (!response.ok) {
    throw Object.assign(new Error(json.message ?? `HTTP ${response.status}`), {
      statusCode: response.status,
      errorCode: json.error_code,
    });
  }
  return json;
}

/** Polls `GET /api/2.0/postgres/{op.name}` until done; the operation's error is thrown (with `errorCode`). */
export async function waitForOperation<T = unknown>(
  w: WorkspaceClient,
  op: PostgresOperation<T>,
  options: { intervalMs?: number; timeoutMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let current = op;
  while (!current.done) {
    if (Date.now() > deadline)
      throw new Error(`operation ${op.name} not done within ${options.timeoutMs ?? 60_000} ms`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 25));
    current = await postgresCall<PostgresOperation<T>>(w, "GET", op.name);
  }
  if (current.error) {
    throw Object.assign(
      new Error(`operation failed: [${current.error.error_code}] ${current.error.message}`),
      {
        errorCode: current.error.error_code,
      },
    );
  }
  return current.response as T;
}

/** A mutation and its operation, polled to done: the resource (or Empty for a delete). */
export async function postgresMutate<T = unknown>(
  w: WorkspaceClient,
  method: "POST" | "DELETE" | "PATCH",
  path: string,
  options: { query?: Query; body?: unknown } = {},
): Promise<T> {
  return waitForOperation<T>(w, await postgresCall<PostgresOperation<T>>(w, method, path, options));
}

/**
 * Gives a workspace user (or service principal) a Postgres role on a branch through the roles API, as an
 * OAuth role (`identity_type` USER, `auth_method` LAKEBASE_OAUTH_V1): they then log in with their own
 * workspace token or an endpoint credential. The role gets no grants beyond PUBLIC's (CONNECT, TEMPORARY):
 * grant what the test needs as an owner of the objects (the project owner, or `local.branchAdminUrl`).
 */
export async function createOAuthRole(
  w: WorkspaceClient,
  branch: string,
  identity: string,
  options: { servicePrincipal?: boolean; roleId?: string } = {},
): Promise<{ name: string; status: { postgres_role: string } }> {
  const roleId =
    options.roleId ??
    identity
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^[^a-z]+/, "")
      .slice(0, 63);
  return postgresMutate(w, "POST", `${branch}/roles`, {
    query: { role_id: roleId.length >= 4 ? roleId : `role-${roleId}` },
    body: {
      spec: {
        postgres_role: identity,
        identity_type: options.servicePrincipal ? "SERVICE_PRINCIPAL" : "USER",
        auth_method: "LAKEBASE_OAUTH_V1",
      },
    },
  });
}
