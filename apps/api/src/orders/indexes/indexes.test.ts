import { createLogger } from "@lakebase-orders/log";
import { createTestDatabase, type TestDatabase, withClient } from "@lakebase-orders/pg-local";
import { createOrdersTable, loadOrders } from "@lakebase-orders/tpch";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncedTable } from "../tables.ts";
import { buildMissingIndexes, indexName, ORDER_INDEXES } from "./indexes.ts";
import { withMaintenanceLock } from "./maintenance.ts";

let database: TestDatabase;
let pool: pg.Pool;
const table = syncedTable({
  fullName: "orders_catalog.public.orders_synced",
  catalog: "orders_catalog",
  schema: "public",
  table: "orders_synced",
});
const APP = "order-indexes-test";

beforeAll(async () => {
  database = await createTestDatabase("order_indexes");
  await withClient(database.url, async (c) => {
    await createOrdersTable(c, { schema: table.schema, table: table.table, primaryKey: ["o_orderkey"] });
    await loadOrders(c, { schema: table.schema, table: table.table, rows: 500 });
  });
  // A bare pg pool, no listener of the app's: the build itself must leave nothing to go wrong behind it.
  pool = new pg.Pool({ connectionString: database.url, max: 2, application_name: APP });
  pool.on("error", () => undefined);
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

const indexes = async () =>
  (
    await pool.query<{ name: string; valid: boolean }>(
      `SELECT i.relname AS name, x.indisvalid AS valid FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = to_regclass($1) AND NOT x.indisprimary ORDER BY 1`,
      [table.sqlName],
    )
  ).rows;

describe("buildMissingIndexes", () => {
  it("stops at a lost session instead of going on with the next index on it, and the next run builds them all", async () => {
    const logs: string[] = [];
    const logger = createLogger({ write: (l) => logs.push(l) });
    const build = await withClient(database.url, async (blocker) => {
      // Holding the table makes the first CONCURRENTLY build wait; the database is then restarted under it.
      await blocker.query("BEGIN");
      await blocker.query(`LOCK TABLE ${table.sqlName} IN SHARE UPDATE EXCLUSIVE MODE`);
      const running = withMaintenanceLock(pool, table.fullName, 2, (sql) =>
        buildMissingIndexes(sql, table, logger),
      ).then(
        () => undefined,
        (error: unknown) => error,
      );
      // Watched from outside the blocker's transaction, where the activity view would be a frozen snapshot.
      const waiting = async () =>
        (
          await pool.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
            [APP],
          )
        ).rows;
      for (let i = 0; i < 100 && (await waiting()).length === 0; i++)
        await new Promise((r) => setTimeout(r, 50));
      const [victim] = await waiting();
      if (!victim) throw new Error("the build never waited");
      await blocker.query("SELECT pg_terminate_backend($1)", [victim.pid]);
      const error = await running;
      await blocker.query("ROLLBACK");
      return error;
    });
    expect(build).toBeInstanceOf(Error);
    expect((build as Error & { code?: string }).code).toBe("57P01");
    // Not reported as five indexes an operator should build by hand.
    expect(logs.filter((l) => l.includes("orders_index_unavailable"))).toEqual([]);

    const report = await withMaintenanceLock(pool, table.fullName, 2, (sql) =>
      buildMissingIndexes(sql, table, logger),
    );
    expect(report?.refused).toBeNull();
    expect(await indexes()).toEqual(
      ORDER_INDEXES.map((i) => ({ name: indexName(table, i.suffix), valid: true })).sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
    );
  }, 60_000);
});
