import { createDb, type Db, runMigrations } from "@lakebase-orders/db";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import { createOrderIndexes, loadOrders } from "@lakebase-orders/tpch";
import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";
import { type AppDeps, createApp } from "../app.ts";
import { createLogger } from "../log.ts";
import type { AppRouter } from "../router.ts";

export interface OrdersFixture {
  database: TestDatabase;
  db: Db;
  app: ReturnType<typeof createApp>;
  client: TRPCClient<AppRouter>;
  /** JSON log lines the app wrote. */
  logs: string[];
  /** HTTP requests the tRPC client sent (batching makes this smaller than the number of calls). */
  httpRequests: string[];
  /** Raw request through the app, as curl would send it. */
  fetch(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Applies the app's committed SQL migrations (what startServer does before listening). */
export async function migrate(db: Db): Promise<void> {
  const client = await db.pool.connect();
  try {
    await runMigrations({ client });
  } finally {
    client.release();
  }
}

/** A fresh database with `rows` TPC-H orders (none: no synced table), migrated, and an app over it. */
export async function createOrdersFixture(
  label: string,
  rows: number | null,
  deps: Partial<AppDeps> = {},
  table: { schema?: string; table?: string } = {},
): Promise<OrdersFixture> {
  const database = await createTestDatabase(label);
  const db = createDb({ connectionString: database.url, max: 8 });
  await migrate(db);
  if (rows !== null) {
    const client = await db.pool.connect();
    try {
      await loadOrders(client, { rows, seed: 42, ...table });
      await createOrderIndexes(client, table);
    } finally {
      client.release();
    }
  }
  const logs: string[] = [];
  const app = createApp({ db, logger: createLogger({ write: (l) => logs.push(l) }), ...deps });
  const httpRequests: string[] = [];
  const client = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: "http://api.test/api/trpc",
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
    client,
    logs,
    httpRequests,
    fetch: async (pathAndQuery, init) => app.request(`http://api.test${pathAndQuery}`, init),
    close: async () => {
      await db.disconnect();
      await database.drop();
    },
  };
}
