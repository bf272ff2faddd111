import net from "node:net";
import { WorkspaceClient } from "@databricks/sdk-experimental";
import { type Env, LOCAL_ADMIN, loadConfig } from "@lakebase-orders/config";
import { createDb, type Db } from "@lakebase-orders/db";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { until } from "@lakebase-orders/lakebase-local/testing";
import { createLogger } from "@lakebase-orders/log";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client";
import { type App, createApp } from "../src/http/app.ts";
import type { LakebaseAdmin } from "../src/lakebase/admin/types.ts";
import type { AppRouter } from "../src/routers/app-router.ts";
import { buildServices } from "../src/start/services.ts";
import { migrate } from "./orders-fixture.ts";

// Transitions in milliseconds, so a full create → ONLINE → delete takes well under a second.
export { until };

export const FAST = { instanceStartMs: 30, instanceDeleteMs: 20, pipelineStepMs: 30 };
export const SOURCE_ROWS = 600;

export interface Harness {
  local: LakebaseLocal;
  database: TestDatabase;
  /** The app's own database (audit rows); orders tests use the instance's database instead. */
  db: Db;
  sdk: WorkspaceClient;
  close(): Promise<void>;
}

export async function startHarness(label: string, timings: Partial<typeof FAST> = {}): Promise<Harness> {
  const adminUrl = process.env.PG_LOCAL_ADMIN_URL;
  const local = await startLakebaseLocal({
    ...(adminUrl ? { postgres: { adminUrl } } : {}),
    timings: { ...FAST, ...timings },
    sourceRows: SOURCE_ROWS,
  });
  const database = await createTestDatabase(label);
  const db = createDb({ connectionString: database.url, max: 4 });
  await migrate(db);
  const sdk = new WorkspaceClient({ host: local.restUrl, token: local.workspaceToken, authType: "pat" });
  return {
    local,
    database,
    db,
    sdk,
    close: async () => {
      await db.disconnect();
      await database.drop();
      await local.stop();
    },
  };
}

export interface Names {
  /** False: no workspace is configured (DATABRICKS_HOST unset). */
  configured: boolean;
  /** Lakebase Autoscaling: `instanceName` is then the project id (the app binds to its production branch). */
  autoscaling?: boolean;
  instanceName: string;
  catalogName: string;
  databaseName: string;
  syncedTable: string;
}

/** Unique resource names per test: tests of one file share a local Lakebase and run side by side. */
export function namesFor(tag: string): Names {
  const id = `${tag}${Math.random().toString(36).slice(2, 7)}`.toLowerCase().replace(/[^a-z0-9]/g, "");
  return {
    configured: true,
    instanceName: `i-${id}`,
    catalogName: `c_${id}`,
    databaseName: `d_${id}`,
    syncedTable: `c_${id}.public.orders_synced`,
  };
}

/** The environment of an app configured for these names over the harness's workspace, the local identity its admin. */
export function lakebaseEnv(h: Harness, names: Names): Env {
  return {
    ...(names.configured
      ? { DATABRICKS_HOST: h.local.restUrl, DATABRICKS_TOKEN: h.local.workspaceToken }
      : {}),
    ...(names.autoscaling
      ? { LAKEBASE_PROJECT_ID: names.instanceName }
      : { LAKEBASE_INSTANCE_NAME: names.instanceName }),
    LAKEBASE_CATALOG_NAME: names.catalogName,
    LAKEBASE_DATABASE_NAME: names.databaseName,
    LAKEBASE_SYNCED_TABLE: names.syncedTable,
    LOCAL_IDENTITY: LOCAL_ADMIN,
    APP_ADMINS: LOCAL_ADMIN,
  };
}

export interface Setup {
  service: LakebaseAdmin;
  app: App;
  logs: string[];
  /** A tRPC client acting as `email` (X-Forwarded-Email); default the local identity (an admin). */
  client(email?: string): TRPCClient<AppRouter>;
}

/** The app as the server builds it, configured for these names, over the harness's local Lakebase. */
export function setUp(
  h: Harness,
  names: Names,
  options: {
    db?: Db;
    stepTimeoutMs?: number;
    onProvisioned?: () => Promise<void>;
    settledPollIntervalMs?: number;
    /** The operation lease (default the configured 30 s; short to see a lost lease within a test). */
    leaseSeconds?: number;
  } = {},
): Setup {
  const logs: string[] = [];
  const logger = createLogger({ write: (l) => logs.push(l), level: "debug" });
  const config = loadConfig({
    ...lakebaseEnv(h, names),
    // Other callers name themselves in X-Forwarded-Email, as behind a proxy.
    TRUST_FORWARDED_HEADERS: "true",
  });
  const services = buildServices(config, options.db ?? h.db, {
    logger,
    workspaceClient: h.sdk,
    lakebase: {
      pollIntervalMs: 15,
      statusCacheMs: 10,
      ...(options.stepTimeoutMs !== undefined ? { stepTimeoutMs: options.stepTimeoutMs } : {}),
      ...(options.settledPollIntervalMs !== undefined
        ? { settledPollIntervalMs: options.settledPollIntervalMs }
        : {}),
      ...(options.leaseSeconds !== undefined ? { leaseSeconds: options.leaseSeconds } : {}),
    },
    onProvisioned: options.onProvisioned ?? (async () => undefined),
  });
  const app = createApp(services);
  return { service: services.lakebase, app, logs, client: (email) => clientFor(app, email) };
}

export function clientFor(app: App, email?: string): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: "http://api.test/api/trpc",
        // Trusting forwarded headers, the app takes a caller without them as anonymous: name the admin.
        headers: { "X-Forwarded-Email": email ?? LOCAL_ADMIN },
        fetch: async (input, init) => {
          const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
          return app.request(url, init as RequestInit);
        },
      }),
    ],
  });
}

/** Calls per REST route so far (e.g. `POST /api/2.0/database/instances`). */
export function routeCalls(local: LakebaseLocal): number {
  return Object.values(local.counters().routes).reduce((a, b) => a + b, 0);
}

/**
 * A stable address for an instance that does not exist yet: Lakebase gives an instance a DNS name, the
 * local Lakebase a port chosen at create time. Connections are forwarded to wherever it is now.
 */
export async function instanceForwarder(
  local: LakebaseLocal,
  instanceName: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    sockets.add(inbound);
    inbound.on("close", () => sockets.delete(inbound));
    const port = local.portOf(instanceName);
    if (!port) {
      inbound.destroy();
      return;
    }
    const outbound = net.connect(port, "127.0.0.1");
    sockets.add(outbound);
    outbound.on("close", () => sockets.delete(outbound));
    inbound.pipe(outbound).pipe(inbound);
    inbound.on("error", () => outbound.destroy());
    outbound.on("error", () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
