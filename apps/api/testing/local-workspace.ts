import { type Env, LOCAL_ADMIN, loadConfig } from "@lakebase-orders/config";
import {
  type LakebaseLocal,
  type LakebaseLocalOptions,
  startLakebaseLocal,
} from "@lakebase-orders/lakebase-local";
import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client";
import type { AppRouter } from "../src/routers/app-router.ts";

export interface LocalWorkspace {
  local: LakebaseLocal;
  names: { instanceName: string; catalogName: string; databaseName: string; syncedTable: string };
  /** The app's environment, as on a real workspace: the SDK's variables, the instance, and PGPORT. */
  env: Env;
  close(): Promise<void>;
}

/**
 * A local Lakebase with one seeded instance (catalog, database, synced orders), on the test run's shared
 * cluster, and the environment an app needs to use it as it would a real workspace. Names are unique per
 * call, so test files can run side by side.
 */
export async function startLocalWorkspace(
  tag: string,
  options: { rows?: number; timings?: LakebaseLocalOptions["timings"]; tokenTtlSeconds?: number } = {},
): Promise<LocalWorkspace> {
  const id = `${tag}${Math.random().toString(36).slice(2, 7)}`.toLowerCase().replace(/[^a-z0-9]/g, "");
  const names = {
    instanceName: `i-${id}`,
    catalogName: `c_${id}`,
    databaseName: `d_${id}`,
    syncedTable: `c_${id}.public.orders_synced`,
  };
  const adminUrl = process.env.PG_LOCAL_ADMIN_URL;
  const local = await startLakebaseLocal({
    // These workspaces exercise the Provisioned admin (stop, start, delete and create an instance); a new
    // workspace's default, an Autoscaling project, has its own (lakebase/autoscaling).
    flavor: "provisioned",
    ...(adminUrl ? { postgres: { adminUrl } } : {}),
    timings: { instanceStartMs: 200, instanceDeleteMs: 50, pipelineStepMs: 30, ...options.timings },
    sourceRows: options.rows ?? 500,
    ...(options.tokenTtlSeconds ? { tokenTtlSeconds: options.tokenTtlSeconds } : {}),
    seed: { ...names, syncedTable: "public.orders_synced" },
  });
  const env: Env = {
    DATABRICKS_HOST: local.restUrl,
    DATABRICKS_TOKEN: local.workspaceToken,
    LAKEBASE_INSTANCE_NAME: names.instanceName,
    LAKEBASE_CATALOG_NAME: names.catalogName,
    LAKEBASE_DATABASE_NAME: names.databaseName,
    // Real Lakebase listens on 5432; the local front door of this instance has its own port.
    PGPORT: String(local.pgPort),
    // TLS is verified: the local Lakebase's own CA stands in for the public ones.
    PGSSLROOTCERT: local.caFile,
    LOCAL_IDENTITY: LOCAL_ADMIN,
    APP_ADMINS: LOCAL_ADMIN,
    // Other callers name themselves in X-Forwarded-Email (httpClient), as behind a proxy.
    TRUST_FORWARDED_HEADERS: "true",
  };
  return { local, names, env, close: () => local.stop() };
}

/** The app's configuration for a local workspace, with overrides (fast test settings). */
export const configFor = (w: LocalWorkspace, overrides: Env = {}) => loadConfig({ ...w.env, ...overrides });

/** A tRPC client of a running server, over real HTTP. */
export function httpClient(url: string, email?: string): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${url}/api/trpc`, headers: email ? { "X-Forwarded-Email": email } : {} })],
  });
}
