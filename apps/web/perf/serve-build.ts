// The production shape for measurements: the local Lakebase seeded with TPC-H orders and the API serving a
// built SPA, on free ports. `stop()` tears both down.
import { type RunningServer, startServer } from "@lakebase-orders/api";
import { loadConfig } from "@lakebase-orders/config";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { createLogger } from "@lakebase-orders/log";
import { lakebaseEnv, namesFor, seedOf } from "../e2e/local-lakebase.ts";

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

const NAMES = namesFor("orders-perf");

export async function serveBuild(options: ServeBuildOptions): Promise<ServedBuild> {
  const identity = options.identity ?? "local-admin@example.com";
  const lakebase = await startLakebaseLocal({
    identity,
    sourceRows: options.rows,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    seed: seedOf(NAMES, options.rows),
  });
  try {
    const server = await startServer(
      loadConfig({
        STATIC_DIR: options.staticDir,
        ...lakebaseEnv(lakebase, NAMES),
        APP_ADMINS: identity,
        LOCAL_IDENTITY: identity,
        LOG_LEVEL: "error",
      }),
      { port: 0, host: "127.0.0.1", logger: createLogger({ level: "error" }) },
    );
    // The server listens before the database is reached and migrated: measure the app once it serves.
    await server.services.readiness.whenReady();
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
