import { dbErrorCode } from "../db-errors.ts";
import type { TableMark } from "../rollup/sql.ts";
import { quoteIdent, type SyncedTable } from "../tables.ts";
import { indexColumns, indexName, ORDER_INDEXES } from "./indexes.ts";
import type { MaintenanceSql } from "./maintenance.ts";

// The projection: the synced table's sort and filter columns in a table of the app's own (migration
// 20261206120000_order_sort_keys), with the indexes the sorts need. Where the app may not index the synced
// table (Databricks makes the pipeline's role its owner; the app's service principal only reads it), the sorts
// find each page's keys here and read the rows by primary key from the synced table.
//
// Kept in step by the one session holding the maintenance lock:
// - built by filling a twin table, indexing it and swapping it in (readers see the old one until then);
// - caught up after every change of the synced table: the rows written since the previous catch-up are found
//   by their transaction id (`xmin` from the previous catch-up's snapshot horizon on: one scan of the table,
//   writes only for rows that differ); after a refresh that rewrote the table (its relfilenode moved) every row
//   is compared; deleted keys are looked for only when the table's delete counter moved (or it was rewritten).

const SCHEMA = "app_data";
const NAME = "order_keys";
const NEXT_NAME = "order_keys_next";
export const PROJECTION = `${quoteIdent(SCHEMA)}.${quoteIdent(NAME)}`;
const NEXT = `${quoteIdent(SCHEMA)}.${quoteIdent(NEXT_NAME)}`;
const STATE = `"app_data"."order_keys_state"`;
const COLUMNS = ["o_orderkey", "o_orderdate", "o_totalprice", "o_orderstatus", "o_orderpriority"] as const;
const VALUES = COLUMNS.slice(1);
const XID_SPACE = 4_294_967_296n;
/** Beyond this distance a 32-bit xmin cannot be placed on either side of the horizon: compare every row. */
const XID_REACH = 2_000_000_000n;

export interface ProjectionState {
  /** The synced table it holds (its full name). */
  tableName: string;
  /** The synced table's oid.relfilenode at the last catch-up. */
  relation: string;
  /** The synced table's mark signature at the last catch-up: equal to the table's now means current. */
  signature: string;
  /** Snapshot xmin (64-bit) of the last catch-up: rows written by transactions from here on are looked at. */
  horizon: bigint;
  /** The table's delete counter at the last catch-up. */
  deletes: number;
  builtAt: Date;
  syncedAt: Date;
  /** How long the last catch-up (or build) took. */
  syncMs: number;
  rowCount: number;
}

type Queryable = Pick<MaintenanceSql, "query">;

export async function readProjectionState(db: Queryable, tableName: string): Promise<ProjectionState | null> {
  const { rows } = await db.query<{
    table_name: string;
    relation: string;
    signature: string;
    horizon: string;
    deletes: string;
    built_at: Date;
    synced_at: Date;
    sync_ms: number;
    row_count: string;
  }>(
    `SELECT table_name, relation, signature, horizon::text, deletes::text, built_at, synced_at, sync_ms,
            row_count::text
       FROM ${STATE} WHERE table_name = $1`,
    [tableName],
  );
  const r = rows[0];
  return r
    ? {
        tableName: r.table_name,
        relation: r.relation,
        signature: r.signature,
        horizon: BigInt(r.horizon),
        deletes: Number(r.deletes),
        builtAt: r.built_at,
        syncedAt: r.synced_at,
        syncMs: r.sync_ms,
        rowCount: Number(r.row_count),
      }
    : null;
}

const select = (alias: string) => COLUMNS.map((c) => `${alias}.${c}`).join(", ");

/**
 * Builds the projection of `table` from scratch: a twin filled in one snapshot, indexed, vacuumed (so key
 * walks are index-only), then swapped in within a short transaction. Returns the rows copied.
 */
export async function buildProjection(
  sql: MaintenanceSql,
  table: SyncedTable,
  mark: TableMark,
): Promise<{ ms: number; rows: number }> {
  const started = performance.now();
  await sql.query(`DROP TABLE IF EXISTS ${NEXT}`);
  // The shape (column types, NOT NULLs) is the migration's; the indexes come after the fill.
  await sql.query(`CREATE TABLE ${NEXT} (LIKE ${PROJECTION} INCLUDING DEFAULTS)`);
  let horizon: string;
  let rows: number;
  await sql.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
  try {
    // The transaction's snapshot is taken here and the fill sees exactly it: every row written by a
    // transaction from its xmin on is the next catch-up's to look at.
    const snapshot = await sql.query<{ horizon: string }>(
      "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon",
    );
    horizon = snapshot.rows[0]!.horizon;
    const filled = await sql.query(
      `INSERT INTO ${NEXT} (${COLUMNS.join(", ")}) SELECT ${select("o")} FROM ${table.sqlName} o`,
    );
    rows = filled.rowCount ?? 0;
    await sql.query("COMMIT");
  } catch (error) {
    await sql.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
  await sql.query("SET maintenance_work_mem = '256MB'").catch(() => undefined);
  await sql.query(
    `ALTER TABLE ${NEXT} ADD CONSTRAINT ${quoteIdent(`${NEXT_NAME}_pkey`)} PRIMARY KEY (o_orderkey)`,
  );
  for (const index of ORDER_INDEXES) {
    await sql.query(
      `CREATE INDEX ${quoteIdent(indexName({ table: NEXT_NAME }, index.suffix))} ON ${NEXT} ${indexColumns(index)}`,
    );
  }
  await sql.query(`VACUUM (ANALYZE) ${NEXT}`);
  const ms = Math.round(performance.now() - started);
  await swapIn(sql, table, mark, horizon, rows, ms);
  return { ms, rows };
}

/** Replaces the projection with its twin and records what it holds, in one short transaction. */
async function swapIn(
  sql: MaintenanceSql,
  table: SyncedTable,
  mark: TableMark,
  horizon: string,
  rows: number,
  ms: number,
): Promise<void> {
  const renames = [
    `ALTER INDEX ${quoteIdent(SCHEMA)}.${quoteIdent(`${NEXT_NAME}_pkey`)} RENAME TO ${quoteIdent(`${NAME}_pkey`)}`,
    ...ORDER_INDEXES.map(
      (i) =>
        `ALTER INDEX ${quoteIdent(SCHEMA)}.${quoteIdent(indexName({ table: NEXT_NAME }, i.suffix))} RENAME TO ${quoteIdent(indexName({ table: NAME }, i.suffix))}`,
    ),
  ];
  for (let attempt = 1; ; attempt++) {
    await sql.query("BEGIN");
    try {
      // Readers of the old projection finish first (milliseconds); a wait beyond a second gives way to them
      // and tries again, rather than queueing every new reader behind this swap.
      await sql.query("SET LOCAL lock_timeout = '1s'");
      await sql.query(`DROP TABLE IF EXISTS ${PROJECTION}`);
      await sql.query(`ALTER TABLE ${NEXT} RENAME TO ${quoteIdent(NAME)}`);
      for (const rename of renames) await sql.query(rename);
      await sql.query(`DELETE FROM ${STATE}`);
      await sql.query(
        `INSERT INTO ${STATE} (table_name, relation, signature, horizon, deletes, built_at, synced_at, sync_ms, row_count)
         VALUES ($1, $2, $3, $4::bigint, $5, now(), now(), $6, $7)`,
        [table.fullName, mark.relation, mark.signature, horizon, mark.deletes, ms, rows],
      );
      await sql.query("COMMIT");
      return;
    } catch (error) {
      await sql.query("ROLLBACK").catch(() => undefined);
      if (dbErrorCode(error) !== "55P03" || attempt >= 10) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export interface CatchUp {
  ms: number;
  /** Rows inserted or changed in the projection. */
  upserted: number;
  deleted: number;
  /** Every row was compared (the table was rewritten, or the horizon was out of reach). */
  full: boolean;
}

/**
 * Brings the projection in step with the synced table as of one snapshot: rows written since the previous
 * catch-up (all rows after a rewrite) that differ from the projection are upserted; keys the table no longer
 * has are deleted when its delete counter moved (or it was rewritten). One REPEATABLE READ transaction: the
 * next horizon is exactly what this one saw.
 */
export async function catchUpProjection(
  sql: MaintenanceSql,
  table: SyncedTable,
  state: ProjectionState,
  mark: TableMark,
): Promise<CatchUp> {
  const started = performance.now();
  await sql.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
  try {
    const snapshot = await sql.query<{ horizon: string; xmax: string }>(
      `SELECT pg_snapshot_xmin(s)::text AS horizon, pg_snapshot_xmax(s)::text AS xmax
         FROM pg_current_snapshot() s`,
    );
    const horizon = snapshot.rows[0]!.horizon;
    const reach = BigInt(snapshot.rows[0]!.xmax) - state.horizon;
    const full = mark.relation !== state.relation || reach < 0n || reach > XID_REACH;
    await sql.query("SET LOCAL work_mem = '64MB'");
    const values: unknown[] = [];
    // A row's 32-bit xmin lies in [horizon, xmax) modulo 2^32: written after the previous catch-up's snapshot.
    // Frozen rows read as xmin 2 and fall outside (short of a wrap-around right at the horizon: a wider look).
    const written = full
      ? "TRUE"
      : `((o.xmin::text::bigint - $1::bigint + ${XID_SPACE}) % ${XID_SPACE}) < $2::bigint`;
    if (!full) values.push(String(state.horizon % XID_SPACE), String(reach));
    const differs = VALUES.map((c) => `q.${c}`).join(", ");
    const upsert = await sql.query<{ upserted: string; inserted: string }>(
      `WITH up AS (
         INSERT INTO ${PROJECTION} AS p (${COLUMNS.join(", ")})
         SELECT ${select("o")} FROM ${table.sqlName} o LEFT JOIN ${PROJECTION} q ON q.o_orderkey = o.o_orderkey
          WHERE ${written}
            AND (q.o_orderkey IS NULL OR (${differs}) IS DISTINCT FROM (${VALUES.map((c) => `o.${c}`).join(", ")}))
         ON CONFLICT (o_orderkey) DO UPDATE SET ${VALUES.map((c) => `${c} = EXCLUDED.${c}`).join(", ")}
         RETURNING (xmax = 0) AS inserted)
       SELECT count(*)::text AS upserted, count(*) FILTER (WHERE inserted)::text AS inserted FROM up`,
      values,
    );
    let deleted = 0;
    if (full || mark.deletes !== state.deletes) {
      const gone = await sql.query(
        `DELETE FROM ${PROJECTION} p WHERE NOT EXISTS (SELECT 1 FROM ${table.sqlName} o WHERE o.o_orderkey = p.o_orderkey)`,
      );
      deleted = gone.rowCount ?? 0;
    }
    const upserted = Number(upsert.rows[0]?.upserted ?? 0);
    const inserted = Number(upsert.rows[0]?.inserted ?? 0);
    const ms = Math.round(performance.now() - started);
    await sql.query(
      `UPDATE ${STATE} SET relation = $2, signature = $3, horizon = $4::bigint, deletes = $5, synced_at = now(),
              sync_ms = $6, row_count = row_count + $7 WHERE table_name = $1`,
      [table.fullName, mark.relation, mark.signature, horizon, mark.deletes, ms, inserted - deleted],
    );
    await sql.query("COMMIT");
    return { ms, upserted, deleted, full };
  } catch (error) {
    await sql.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** Empties the projection (the synced table has the indexes now): its space back, its state gone. */
export async function clearProjection(sql: MaintenanceSql): Promise<void> {
  await sql.query("BEGIN");
  try {
    await sql.query("SET LOCAL lock_timeout = '1s'");
    await sql.query(`TRUNCATE ${PROJECTION}`);
    await sql.query(`DELETE FROM ${STATE}`);
    await sql.query("COMMIT");
  } catch (error) {
    await sql.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
