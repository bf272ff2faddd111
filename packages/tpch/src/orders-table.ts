import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { copyLine, DEFAULT_SEED, orderAt, scaleFactorForRows } from "./orders-generator.ts";

export interface OrdersTable {
  /** Default "public". */
  schema?: string;
  /** Default "orders_synced" (what a Lakebase synced table of samples.tpch.orders is called here). */
  table?: string;
}

/**
 * The Databricks `samples.tpch.orders` columns in source order, with the Postgres types a synced table of it
 * gets (a Delta bigint is bigint, decimal(18,2) is numeric(18,2), string is text, date is date, int is integer).
 */
export const ORDER_COLUMNS = [
  { name: "o_orderkey", type: "bigint" },
  { name: "o_custkey", type: "bigint" },
  { name: "o_orderstatus", type: "text" },
  { name: "o_totalprice", type: "numeric(18,2)" },
  { name: "o_orderdate", type: "date" },
  { name: "o_orderpriority", type: "text" },
  { name: "o_clerk", type: "text" },
  { name: "o_shippriority", type: "integer" },
  { name: "o_comment", type: "text" },
] as const;

export type OrderColumn = (typeof ORDER_COLUMNS)[number]["name"];

export interface CreateOrdersTableOptions extends OrdersTable {
  /** Columns of the primary key, as a synced table's `spec.primary_key_columns`. Default `["o_orderkey"]`. */
  primaryKey?: readonly OrderColumn[];
}

export interface LoadOrdersOptions extends OrdersTable {
  rows: number;
  seed?: number;
  /** Called after each chunk is handed to COPY. */
  onProgress?: (loaded: number, total: number) => void;
}

// ~8 MB of COPY text per chunk: big enough that per-chunk overhead vanishes, small enough to stream.
const ROWS_PER_CHUNK = 65_536;

/** `"schema"."table"`, each part quoted so that any name is safe in SQL. */
export function qualifiedTable(t: OrdersTable = {}): string {
  return `${pg.escapeIdentifier(t.schema ?? "public")}.${pg.escapeIdentifier(t.table ?? "orders_synced")}`;
}

/**
 * The table exactly as a Databricks synced table of `samples.tpch.orders` is created: the source columns
 * with their Postgres types and the primary key, and no other index (production has none: see
 * createOrderIndexes).
 */
export async function createOrdersTable(
  client: pg.ClientBase,
  t: CreateOrdersTableOptions = {},
): Promise<void> {
  const primaryKey = t.primaryKey ?? ["o_orderkey"];
  if (primaryKey.length === 0) throw new RangeError("primaryKey must name at least one column");
  const columns = ORDER_COLUMNS.map((c) => `${c.name} ${c.type} NOT NULL`);
  const key = primaryKey.map((c) => pg.escapeIdentifier(c)).join(", ");
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(t.schema ?? "public")}`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${qualifiedTable(t)} (${columns.join(", ")}, PRIMARY KEY (${key}))`,
  );
}

/**
 * Streams `rows` generated orders into the table (created if missing) with COPY FROM STDIN. Whoever wants
 * secondary indexes creates them afterwards (createOrderIndexes): building them once is far cheaper than
 * maintaining them row by row.
 */
export async function loadOrders(
  client: pg.ClientBase,
  opts: LoadOrdersOptions,
): Promise<{ rows: number; ms: number }> {
  const { rows, onProgress } = opts;
  if (!Number.isSafeInteger(rows) || rows < 0)
    throw new RangeError(`rows must be a non-negative integer, got ${rows}`);
  const seed = opts.seed ?? DEFAULT_SEED;
  const scale = scaleFactorForRows(rows);
  const started = performance.now();
  await createOrdersTable(client, opts);

  function* chunks(): Generator<string> {
    for (let start = 0; start < rows; start += ROWS_PER_CHUNK) {
      const end = Math.min(rows, start + ROWS_PER_CHUNK);
      let text = "";
      for (let index = start; index < end; index++) text += copyLine(orderAt(seed, index, scale));
      yield text;
      // The generator resumes only when COPY wants more, so this counts what the server has been sent.
      onProgress?.(end, rows);
    }
  }

  const columns = ORDER_COLUMNS.map((c) => c.name).join(", ");
  const copy = client.query(copyFrom(`COPY ${qualifiedTable(opts)} (${columns}) FROM STDIN`));
  await pipeline(Readable.from(chunks(), { objectMode: false, highWaterMark: 1 }), copy);
  return { rows, ms: Math.round(performance.now() - started) };
}

/**
 * Planner statistics for the freshly loaded table, so the first queries are planned on real numbers (on the
 * service, autovacuum analyzes a synced table soon after its snapshot).
 */
export async function analyzeOrders(client: pg.ClientBase, t: OrdersTable = {}): Promise<void> {
  await client.query(`ANALYZE ${qualifiedTable(t)}`);
}

/**
 * Opt-in secondary indexes (each ends with the key for a stable keyset), then ANALYZE. A synced table on
 * Databricks has only its primary key: nothing that measures or tests the app as it runs in production
 * should call this; it is for whoever deliberately wants these indexes (an app that maintains them itself).
 */
export async function createOrderIndexes(client: pg.ClientBase, t: OrdersTable = {}): Promise<void> {
  const table = t.table ?? "orders_synced";
  const target = qualifiedTable(t);
  await client.query("BEGIN");
  try {
    // Sorting in memory instead of on disk makes each build several times faster; scoped to this transaction.
    await client.query("SET LOCAL maintenance_work_mem = '256MB'");
    for (const column of ["o_orderdate", "o_totalprice", "o_orderstatus", "o_orderpriority"]) {
      const name = pg.escapeIdentifier(`${table}_${column}_o_orderkey_idx`);
      await client.query(`CREATE INDEX IF NOT EXISTS ${name} ON ${target} (${column}, o_orderkey)`);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
  await analyzeOrders(client, t);
}
