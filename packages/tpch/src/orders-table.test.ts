import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateOrders, type OrderRow } from "./orders-generator.ts";
import { createOrderIndexes, createOrdersTable, loadOrders, qualifiedTable } from "./orders-table.ts";

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase("tpch_load");
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

async function indexDefs(schema: string, table: string): Promise<Map<string, string>> {
  const indexes = await client.query<{ indexname: string; indexdef: string }>(
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2",
    [schema, table],
  );
  return new Map(indexes.rows.map((r) => [r.indexname, r.indexdef]));
}

// Read every column back as text so that nothing is lost to JS number or Date conversion.
async function readRows(table: string): Promise<OrderRow[]> {
  const result =
    await client.query(`SELECT o_orderkey::text AS orderkey, o_custkey::text AS custkey, o_orderstatus,
      o_totalprice::text AS totalprice, o_orderdate::text AS orderdate, o_orderpriority, o_clerk, o_shippriority,
      o_comment FROM ${table} ORDER BY o_orderkey`);
  return result.rows.map((r) => ({
    orderKey: Number(r.orderkey),
    custKey: Number(r.custkey),
    orderStatus: r.o_orderstatus,
    totalPrice: r.totalprice,
    orderDate: r.orderdate,
    orderPriority: r.o_orderpriority,
    clerk: r.o_clerk,
    shipPriority: r.o_shippriority,
    comment: r.o_comment,
  }));
}

describe("qualifiedTable", () => {
  it("quotes both parts, defaulting to public.orders_synced", () => {
    expect(qualifiedTable()).toBe('"public"."orders_synced"');
    expect(qualifiedTable({ schema: 'we"ird', table: "t; drop" })).toBe('"we""ird"."t; drop"');
  });
});

describe("loadOrders", () => {
  const rows = 20_000;
  const seed = 42;

  it("loads generated rows with COPY into a table shaped like Databricks' synced table: its types, its primary key, no other index", async () => {
    const progress: number[] = [];
    const result = await loadOrders(client, {
      rows,
      seed,
      onProgress: (loaded, total) => {
        expect(total).toBe(rows);
        progress.push(loaded);
      },
    });
    expect(result.rows).toBe(rows);
    expect(result.ms).toBeGreaterThanOrEqual(0);
    expect(progress.at(-1)).toBe(rows);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    // Production's shape: the primary key and nothing else, until someone opts in to more.
    const before = await indexDefs("public", "orders_synced");
    expect([...before.keys()]).toEqual(["orders_synced_pkey"]);
    expect(before.get("orders_synced_pkey")).toMatch(/^CREATE UNIQUE INDEX .* USING btree \(o_orderkey\)$/);
    const constraints = await client.query(
      // PostgreSQL 18 also records NOT NULL as constraints (contype n): only keys, checks and references count.
      `SELECT conname, contype FROM pg_constraint
        WHERE conrelid = 'public.orders_synced'::regclass AND contype <> 'n' ORDER BY 1`,
    );
    expect(constraints.rows).toEqual([{ conname: "orders_synced_pkey", contype: "p" }]);

    await createOrderIndexes(client);

    const count = await client.query("SELECT count(*)::int AS n FROM public.orders_synced");
    expect(count.rows[0].n).toBe(rows);

    const columns = await client.query(
      `SELECT column_name, data_type, numeric_precision, numeric_scale, is_nullable
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'orders_synced'
         ORDER BY ordinal_position`,
    );
    expect(columns.rows).toEqual([
      {
        column_name: "o_orderkey",
        data_type: "bigint",
        numeric_precision: 64,
        numeric_scale: 0,
        is_nullable: "NO",
      },
      {
        column_name: "o_custkey",
        data_type: "bigint",
        numeric_precision: 64,
        numeric_scale: 0,
        is_nullable: "NO",
      },
      {
        column_name: "o_orderstatus",
        data_type: "text",
        numeric_precision: null,
        numeric_scale: null,
        is_nullable: "NO",
      },
      {
        column_name: "o_totalprice",
        data_type: "numeric",
        numeric_precision: 18,
        numeric_scale: 2,
        is_nullable: "NO",
      },
      {
        column_name: "o_orderdate",
        data_type: "date",
        numeric_precision: null,
        numeric_scale: null,
        is_nullable: "NO",
      },
      {
        column_name: "o_orderpriority",
        data_type: "text",
        numeric_precision: null,
        numeric_scale: null,
        is_nullable: "NO",
      },
      {
        column_name: "o_clerk",
        data_type: "text",
        numeric_precision: null,
        numeric_scale: null,
        is_nullable: "NO",
      },
      {
        column_name: "o_shippriority",
        data_type: "integer",
        numeric_precision: 32,
        numeric_scale: 0,
        is_nullable: "NO",
      },
      {
        column_name: "o_comment",
        data_type: "text",
        numeric_precision: null,
        numeric_scale: null,
        is_nullable: "NO",
      },
    ]);

    const defs = await indexDefs("public", "orders_synced");
    expect(defs.get("orders_synced_pkey")).toMatch(/UNIQUE INDEX .* \(o_orderkey\)$/);
    for (const column of ["o_orderdate", "o_totalprice", "o_orderstatus", "o_orderpriority"]) {
      expect(defs.get(`orders_synced_${column}_o_orderkey_idx`)).toMatch(
        new RegExp(`\\(${column}, o_orderkey\\)$`),
      );
    }
    expect(defs.size).toBe(5);

    const analyzed = await client.query(
      "SELECT last_analyze IS NOT NULL AS analyzed FROM pg_stat_user_tables WHERE relname = 'orders_synced'",
    );
    expect(analyzed.rows[0].analyzed).toBe(true);

    expect(await readRows("public.orders_synced")).toEqual([...generateOrders({ rows, seed })]);
  });

  it("loads into a named schema and table, and indexing twice is harmless", async () => {
    const target = { schema: "Sync Target", table: "orders" };
    await createOrdersTable(client, target);
    await loadOrders(client, { ...target, rows: 100, seed: 1 });
    await createOrderIndexes(client, target);
    await createOrderIndexes(client, target);
    expect(await readRows(qualifiedTable(target))).toEqual([...generateOrders({ rows: 100, seed: 1 })]);
    const indexes = await client.query(
      "SELECT indexname FROM pg_indexes WHERE schemaname = 'Sync Target' AND tablename = 'orders' ORDER BY 1",
    );
    expect(indexes.rows.map((r) => r.indexname)).toEqual([
      "orders_o_orderdate_o_orderkey_idx",
      "orders_o_orderpriority_o_orderkey_idx",
      "orders_o_orderstatus_o_orderkey_idx",
      "orders_o_totalprice_o_orderkey_idx",
      "orders_pkey",
    ]);
  });

  it("takes the primary key from the caller, as a synced table takes spec.primary_key_columns", async () => {
    const target = { table: "orders_by_two", primaryKey: ["o_custkey", "o_orderkey"] as const };
    await createOrdersTable(client, target);
    expect([...(await indexDefs("public", "orders_by_two")).values()]).toEqual([
      expect.stringMatching(/UNIQUE INDEX orders_by_two_pkey .* \(o_custkey, o_orderkey\)$/),
    ]);
    await expect(createOrdersTable(client, { table: "no_key", primaryKey: [] })).rejects.toThrow(RangeError);
  });

  it("fails cleanly when rows already exist (primary key) and leaves the table as it was", async () => {
    const target = { table: "orders_twice" };
    await loadOrders(client, { ...target, rows: 10 });
    await expect(loadOrders(client, { ...target, rows: 10 })).rejects.toThrow(/duplicate key/);
    const count = await client.query(`SELECT count(*)::int AS n FROM ${qualifiedTable(target)}`);
    expect(count.rows[0].n).toBe(10);
  });
});
