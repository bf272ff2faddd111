import { type Env, LOCAL_ADMIN, loadConfig } from "@lakebase-orders/config";
import { createDb, type Db, type DbPoolConfigInput, migratePool } from "@lakebase-orders/db";
import { createLogger } from "@lakebase-orders/log";
import { createTestDatabase, type TestDatabase, withClient } from "@lakebase-orders/pg-local";
import { createOrderIndexes, loadOrders } from "@lakebase-orders/tpch";
import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";
import { createApp } from "../src/http/app.ts";
import type { AppRouter } from "../src/routers/app-router.ts";
import { type AppServices, buildServices } from "../src/start/services.ts";

export interface OrdersFixture {
  database: TestDatabase;
  db: Db;
  app: ReturnType<typeof createApp>;
  services: AppServices;
  /** The local admin (named in X-Forwarded-Email when the app trusts forwarded headers). */
  client: TRPCClient<AppRouter>;
  /** JSON log lines the app wrote. */
  logs: string[];
  /** HTTP requests the tRPC client sent (batching makes this smaller than the number of calls). */
  httpRequests: string[];
  /** Raw request through the app, as curl would send it (as the local admin, like `client`, unless it names someone). */
  fetch(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Applies the app's committed SQL migrations (what startServer does before listening). */
export async function migrate(db: Db): Promise<void> {
  await migratePool(db.pool);
}

/**
 * A fresh database with `rows` TPC-H orders (none: no synced table), migrated, and an app over it, built as
 * the server builds it from `env` (no workspace: the orders' availability is "does the table exist").
 */
export async function createOrdersFixture(
  label: string,
  rows: number | null,
  env: Env = {},
  table: { schema?: string; table?: string } = {},
  /** The app's pool settings over the defaults (e.g. a statement timeout short enough to meet). */
  pool: DbPoolConfigInput = {},
): Promise<OrdersFixture> {
  const database = await createTestDatabase(label);
  const db = createDb({ connectionString: database.url, max: 8, ...pool });
  await migrate(db);
  if (rows !== null) {
    // On a connection of its own: the app's pool settings (its statement timeout) are the app's.
    await withClient(database.url, async (client) => {
      await loadOrders(client, { rows, seed: 42, ...table });
      await createOrderIndexes(client, table);
    });
  }
  const logs: string[] = [];
  const services = buildServices(loadConfig(env), db, {
    logger: createLogger({ write: (l) => logs.push(l) }),
  });
  const app = createApp(services);
  const httpRequests: string[] = [];
  // Behind a trusted proxy every caller is named by it (a request without a name is anonymous): the client
  // is the local admin there too.
  const trusting = Boolean(env.TRUST_FORWARDED_HEADERS) && !env.DATABRICKS_APP_NAME;
  const client = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: "http://api.test/api/trpc",
        headers: trusting ? { "X-Forwarded-Email": LOCAL_ADMIN } : {},
        fetch: async (input, init) => {
          const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
          httpRequests.push(url);
          return app.request(url, init as RequestInit);
        },
      }),
    ],
  });
  return {
    database,
    db,
    app,
    services,
    client,
    logs,
    httpRequests,
    fetch: async (pathAndQuery, init) => {
      const headers = new Headers(init?.headers);
      if (trusting && !headers.has("x-forwarded-email")) headers.set("X-Forwarded-Email", LOCAL_ADMIN);
      return app.request(`http://api.test${pathAndQuery}`, { ...init, headers });
    },
    close: async () => {
      services.orders.close();
      await db.disconnect();
      await database.drop();
    },
  };
}
