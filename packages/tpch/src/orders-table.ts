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

/** The Databricks `samples.tpch.orders` columns with the Postgres types a synced table gets. */
export async function createOrdersTable(client: pg.ClientBase, t: OrdersTable = {}): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(t.schema ?? "public")}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${qualifiedTable(t)} (
    o_orderkey bigint NOT NULL PRIMARY KEY,
    o_custkey bigint NOT NULL,
    o_orderstatus text NOT NULL,
    o_totalprice numeric(18,2) NOT NULL,
    o_orderdate date NOT NULL,
    o_orderpriority text NOT NULL,
    o_clerk text NOT NULL,
    o_shippriority integer NOT NULL,
    o_comment text NOT NULL
  )`);
}

/**
 * Streams `rows` generated orders into the table (created if missing) with COPY FROM STDIN. Create the
 * secondary indexes afterwards (createOrderIndexes): building them once is far cheaper than maintaining
 * them row by row.
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

  const columns =
    "o_orderkey, o_custkey, o_orderstatus, o_totalprice, o_orderdate, o_orderpriority, o_clerk, o_shippriority, o_comment";
  const copy = client.query(copyFrom(`COPY ${qualifiedTable(opts)} (${columns}) FROM STDIN`));
  await pipeline(Readable.from(chunks(), { objectMode: false, highWaterMark: 1 }), copy);
  return { rows, ms: Math.round(performance.now() - started) };
}

/** The secondary indexes the orders API pages on (each ends with the key for a stable keyset), then ANALYZE. */
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
  await client.query(`ANALYZE ${target}`);
}
