import { isConnectionLost } from "@lakebase-orders/db";
import type { Logger } from "@lakebase-orders/log";
import { dbErrorCode } from "../db-errors.ts";
import { quoteIdent, type SyncedTable } from "../tables.ts";
import type { MaintenanceSql } from "./maintenance.ts";

/**
 * An index the sorts need: key columns, then the other filter and sort columns, so that finding a page's keys
 * never visits the table (index-only: a walk that skips rows of other days or priorities costs index entries,
 * not random table reads; a collection reads its sort values from the index).
 */
export interface OrderIndex {
  suffix: string;
  columns: readonly string[];
  include: readonly string[];
}

/**
 * The indexes the app's sorts need on the synced table. Databricks creates a synced table with its primary
 * key only, and creating indexes on it in Postgres is one of the operations its documentation allows; a
 * snapshot refresh may replace the table (and its indexes with it), so the app checks after every change of
 * the table's identity and builds what is missing, CONCURRENTLY (reads go on meanwhile). Each index ends on
 * the order key, so a page walk is a total order.
 */
export const ORDER_INDEXES: readonly OrderIndex[] = [
  {
    suffix: "orderdate_key",
    columns: ["o_orderdate", "o_orderkey"],
    include: ["o_totalprice", "o_orderpriority"],
  },
  {
    suffix: "totalprice_key",
    columns: ["o_totalprice", "o_orderkey"],
    include: ["o_orderdate", "o_orderpriority"],
  },
  // A status filter reads rows of one synced status in each sort's order (see keysQuery).
  {
    suffix: "status_key",
    columns: ["o_orderstatus", "o_orderkey"],
    include: ["o_orderdate", "o_orderpriority"],
  },
  {
    suffix: "status_orderdate_key",
    columns: ["o_orderstatus", "o_orderdate", "o_orderkey"],
    include: ["o_totalprice", "o_orderpriority"],
  },
  {
    suffix: "status_totalprice_key",
    columns: ["o_orderstatus", "o_totalprice", "o_orderkey"],
    include: ["o_orderdate", "o_orderpriority"],
  },
];

export interface IndexReport {
  /** Built now. */
  created: string[];
  /** Present already (ours or an equivalent one). */
  present: string[];
  /** Could not be built: missing privilege or another failure; the app keeps working, slower. */
  failed: { name: string; code: string | undefined; message: string }[];
}

/** The name of one of our indexes: at most 63 bytes, unique per table. */
export function indexName(table: SyncedTable, suffix: string): string {
  const base = `${table.table}_${suffix}`;
  return base.length <= 63 ? base : `${table.table.slice(0, 50)}_${hash(table.table)}_${suffix}`.slice(0, 63);
}

/**
 * Makes sure the indexes exist and are valid; run under a lock by one process at a time. A leftover invalid
 * index (an interrupted CONCURRENTLY build) is dropped and built again. Idempotent and cheap when all exist.
 */
export async function ensureOrderIndexes(
  client: MaintenanceSql,
  table: SyncedTable,
  logger: Logger,
): Promise<IndexReport> {
  const report: IndexReport = { created: [], present: [], failed: [] };
  const { rows } = await client.query<{ name: string; valid: boolean; columns: string[] }>(
    `SELECT i.relname AS name, x.indisvalid AS valid,
            ARRAY(SELECT a.attname::text FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = to_regclass($1)`,
    [table.sqlName],
  );
  for (const wanted of ORDER_INDEXES) {
    const name = indexName(table, wanted.suffix);
    const all = [...wanted.columns, ...wanted.include].join(",");
    const same = rows.filter((r) => r.columns.join(",") === all);
    if (same.some((r) => r.valid)) {
      report.present.push(same.find((r) => r.valid)!.name);
      continue;
    }
    const qualified = `${quoteIdent(table.schema)}.${quoteIdent(name)}`;
    try {
      // Ours but invalid (an interrupted build) or defined otherwise (an older version of the app): rebuild.
      if (rows.some((r) => r.name === name)) {
        await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${qualified}`);
      }
      const started = performance.now();
      await client.query(definition(name, table, wanted));
      report.created.push(name);
      logger.info("orders_index_created", { index: name, ms: Math.round(performance.now() - started) });
    } catch (error) {
      // The session is gone (a restart, a failover): nothing more can be done on it, and its next statement
      // would go out on a socket about to close. The caller discards the connection; the next check retries.
      if (isConnectionLost(error)) throw error;
      const code = dbErrorCode(error);
      const message = error instanceof Error ? error.message : String(error);
      report.failed.push({ name, code, message });
      // 42501: not the table's owner. The sorts still answer, by scanning; an operator can build it.
      logger.warn("orders_index_unavailable", {
        index: name,
        code: code ?? null,
        message,
        remedy: definition(name, table, wanted),
      });
      await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${qualified}`).catch(() => undefined);
    }
  }
  return report;
}

function definition(name: string, table: SyncedTable, index: OrderIndex): string {
  return `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdent(name)} ON ${table.sqlName} (${index.columns.join(", ")}) INCLUDE (${index.include.join(", ")})`;
}

function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
