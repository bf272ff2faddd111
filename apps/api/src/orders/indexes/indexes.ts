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
 * The indexes the app's sorts need, on the synced table or on the app's projection of it (projection.ts).
 * Databricks creates a synced table with its primary key only; creating indexes on it is one of the
 * operations its documentation allows, to its owner (the pipeline's role) and the table's creator. Each index
 * ends on the order key, so a page walk is a total order.
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

/** The name of one of our indexes: at most 63 bytes, unique per table. */
export function indexName(table: { table: string }, suffix: string): string {
  const base = `${table.table}_${suffix}`;
  return base.length <= 63 ? base : `${table.table.slice(0, 50)}_${hash(table.table)}_${suffix}`.slice(0, 63);
}

/** `(columns) INCLUDE (columns)`: what follows `ON <table>` in the index's CREATE INDEX. */
export function indexColumns(index: OrderIndex): string {
  return `(${index.columns.join(", ")}) INCLUDE (${index.include.join(", ")})`;
}

/** The statement that builds `index` on the synced table, as the app runs it and as an operator can. */
export function indexStatement(table: SyncedTable, index: OrderIndex): string {
  return `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdent(indexName(table, index.suffix))} ON ${table.sqlName} ${indexColumns(index)}`;
}

/** What the synced table has of the indexes the sorts need, and whether this session may build the rest. */
export interface IndexState {
  /** Wanted indexes with a valid equivalent (ours, the pipeline's, an operator's: same columns in order). */
  present: OrderIndex[];
  /** Wanted indexes without one. */
  missing: OrderIndex[];
  /** Ours by name but not valid: what an interrupted CONCURRENTLY build leaves; dropped before a rebuild. */
  invalid: string[];
  /**
   * This session has the table owner's privileges (the owner, a member of the owning role such as the
   * synced table's creator on Lakebase, a superuser) and the table is not partitioned (CONCURRENTLY cannot
   * build on a partitioned parent, and a plain build would hold the pipeline's writes for its whole length).
   */
  mayIndex: boolean;
}

type Queryable = Pick<MaintenanceSql, "query">;

/** The synced table's indexes against the wanted ones (null: the table does not exist). Catalog reads only. */
export async function readIndexState(db: Queryable, table: SyncedTable): Promise<IndexState | null> {
  const t = await db.query<{ may_index: boolean; partitioned: boolean }>(
    `SELECT pg_has_role(current_user, c.relowner, 'USAGE') AS may_index, c.relkind = 'p' AS partitioned
       FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [table.sqlName],
  );
  const relation = t.rows[0];
  if (!relation) return null;
  const { rows } = await db.query<{ name: string; valid: boolean; columns: string[] }>(
    `SELECT i.relname AS name, x.indisvalid AND x.indisready AS valid,
            ARRAY(SELECT a.attname::text FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = to_regclass($1) AND x.indpred IS NULL AND x.indexprs IS NULL`,
    [table.sqlName],
  );
  const state: IndexState = {
    present: [],
    missing: [],
    invalid: [],
    mayIndex: relation.may_index && !relation.partitioned,
  };
  for (const wanted of ORDER_INDEXES) {
    const all = [...wanted.columns, ...wanted.include].join(",");
    const name = indexName(table, wanted.suffix);
    if (rows.some((r) => r.valid && r.columns.join(",") === all)) state.present.push(wanted);
    else state.missing.push(wanted);
    if (rows.some((r) => r.name === name && !r.valid)) state.invalid.push(name);
  }
  return state;
}

export interface IndexReport {
  /** Built now, and valid. */
  created: string[];
  /** Present already (ours or an equivalent one). */
  present: string[];
  /** Not the table's owner (42501): nothing was built; the sorts need another way (the projection). */
  refused: { name: string; message: string } | null;
}

/**
 * Builds the wanted indexes the table lacks, CONCURRENTLY (reads and the pipeline's writes go on), one at a
 * time; run under the maintenance lock, by one session at a time. Our leftovers of an interrupted build
 * (invalid) are dropped first. An index counts as built only once the catalog says it is valid; any failure
 * (a cancelled or yielded build, a lost session) is thrown after its invalid leftover is dropped where the
 * session still can, and the next check builds what is still missing. Only "not the owner" is an answer.
 */
export async function buildMissingIndexes(
  client: MaintenanceSql,
  table: SyncedTable,
  logger: Logger,
): Promise<IndexReport> {
  const report: IndexReport = { created: [], present: [], refused: null };
  const state = await readIndexState(client, table);
  if (!state) return report;
  report.present = state.present.map((i) => indexName(table, i.suffix));
  for (const name of state.invalid) {
    await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdent(table.schema)}.${quoteIdent(name)}`);
    logger.info("orders_index_dropped_invalid", { index: name });
  }
  if (state.missing.length === 0) return report;
  // Sorting in memory instead of on disk makes each build several times faster (this session only).
  await client.query("SET maintenance_work_mem = '256MB'").catch(() => undefined);
  for (const wanted of state.missing) {
    const name = indexName(table, wanted.suffix);
    const qualified = `${quoteIdent(table.schema)}.${quoteIdent(name)}`;
    const started = performance.now();
    try {
      await client.query(indexStatement(table, wanted));
    } catch (error) {
      const code = dbErrorCode(error);
      const message = error instanceof Error ? error.message : String(error);
      if (code === "42501") {
        report.refused = { name, message };
        return report;
      }
      // The session is gone (a restart, a failover): nothing more can be sent on it; the lock went with it.
      if (!isConnectionLost(error)) {
        await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${qualified}`).catch(() => undefined);
      }
      throw error;
    }
    const valid = await client.query<{ valid: boolean }>(
      `SELECT x.indisvalid AS valid FROM pg_index x WHERE x.indexrelid = to_regclass($1)`,
      [qualified],
    );
    if (!valid.rows[0]?.valid) {
      throw new Error(`index ${name} was not valid after its build; it is rebuilt at the next check`);
    }
    report.created.push(name);
    logger.info("orders_index_created", { index: name, ms: Math.round(performance.now() - started) });
  }
  return report;
}

function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
