// The production shape for measurements: the local Lakebase seeded with TPC-H orders and the API serving a
// built SPA, on free ports. `stop()` tears both down.
import { type RunningServer, startServer } from "@lakebase-orders/api";
import { loadConfig } from "@lakebase-orders/config";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { createLogger } from "@lakebase-orders/log";

export interface ServeBuildOptions {
  /** Orders in the synced table. */
  rows: number;
  /** The built SPA (vite build output). */
  staticDir: string;
  /** Keep the seeded data here across runs (seeding 1.5 M rows takes about 15 s). */
  dataDir?: string;
  /** The viewer the local API acts as (an admin, so /admin shows the console). */
  identity?: string;
}

export interface ServedBuild {
  baseUrl: string;
  lakebase: LakebaseLocal;
  server: RunningServer;
  stop(): Promise<void>;
}

const NAMES = {
  instance: "orders-perf",
  catalog: "orders_catalog",
  database: "orders",
  syncedTable: "orders_catalog.public.orders_synced",
};

export async function serveBuild(options: ServeBuildOptions): Promise<ServedBuild> {
  const identity = options.identity ?? "local-admin@example.com";
  const lakebase = await startLakebaseLocal({
    identity,
    sourceRows: options.rows,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    seed: {
      instanceName: NAMES.instance,
      catalogName: NAMES.catalog,
      databaseName: NAMES.database,
      syncedTable: NAMES.syncedTable,
      rows: options.rows,
    },
  });
  try {
    const server = await startServer(
      loadConfig({
        STATIC_DIR: options.staticDir,
        DATABRICKS_HOST: lakebase.restUrl,
        DATABRICKS_TOKEN: lakebase.workspaceToken,
        LAKEBASE_INSTANCE_NAME: NAMES.instance,
        LAKEBASE_CATALOG_NAME: NAMES.catalog,
        LAKEBASE_DATABASE_NAME: NAMES.database,
        LAKEBASE_SYNCED_TABLE: NAMES.syncedTable,
        PGPORT: String(lakebase.pgPort),
        APP_ADMINS: identity,
        LOCAL_IDENTITY: identity,
        LOG_LEVEL: "error",
      }),
      { port: 0, host: "127.0.0.1", logger: createLogger({ level: "error" }) },
    );
    return {
      baseUrl: server.url,
      lakebase,
      server,
      stop: async () => {
        await server.close().catch(() => undefined);
        await lakebase.stop().catch(() => undefined);
      },
    };
  } catch (error) {
    await lakebase.stop().catch(() => undefined);
    throw error;
  }
}
