import { isConnectionLost } from "@lakebase-orders/db";
import type pg from "pg";
import type { MaintenanceSql } from "../indexes/maintenance.ts";
import type { Correction } from "./rollup.ts";
import { KEY_BUCKET_BITS, PRICE_BUCKET, type RollupRow } from "./rollup.ts";

// The rollup's SQL: its tables live in app_data (migration 20261203000000_order_rollup); the synced table is
// only read. Everything here runs on the primary.

const ROLLUP = `"app_data"."order_rollup"`;
const STATE = `"app_data"."order_rollup_state"`;
const BUCKETS = `(o.o_orderdate - date '1970-01-01') AS d, floor(o.o_totalprice / ${PRICE_BUCKET})::bigint AS p,
  (o.o_orderkey >> ${KEY_BUCKET_BITS}) AS k`;

/** What the synced table looks like now: identity, storage and write counters. null: it does not exist. */
export interface TableMark {
  /** oid.relfilenode: changes when a refresh replaces or truncates the table. */
  relation: string;
  /** relation plus rows inserted, updated and deleted since statistics began: moves with every sync. */
  signature: string;
  /** Rows deleted since statistics began (the projection's catch-up looks for deleted keys only when it moved). */
  deletes: number;
}

export async function readTableMark(db: pg.Pool | pg.ClientBase, sqlName: string): Promise<TableMark | null> {
  const { rows } = await db.query<{ relation: string | null; writes: string | null; deletes: string | null }>(
    `SELECT c.oid::text || '.' || c.relfilenode::text AS relation,
            (COALESCE(s.n_tup_ins, 0) + COALESCE(s.n_tup_upd, 0) + COALESCE(s.n_tup_del, 0))::text AS writes,
            COALESCE(s.n_tup_del, 0)::text AS deletes
       FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE c.oid = to_regclass($1)`,
    [sqlName],
  );
  const r = rows[0];
  return r?.relation
    ? { relation: r.relation, signature: `${r.relation}.${r.writes ?? 0}`, deletes: Number(r.deletes ?? 0) }
    : null;
}

/** Moves with every status change (a change inserts a row or bumps its version). */
export async function readOverridesMark(db: pg.Pool): Promise<string> {
  const { rows } = await db.query<{ mark: string }>(
    `SELECT count(*)::text || '.' || COALESCE(sum(version), 0)::text || '.' || COALESCE(max(updated_at)::text, '') AS mark
       FROM app_data.order_status`,
  );
  return rows[0]?.mark ?? "";
}

export interface RollupState {
  signature: string;
  /** The database's clock: only an identity to compare, never a time to compare with the app's clock. */
  builtAt: Date;
  /** How long ago it was built, measured on the database's clock (the one that wrote `builtAt`). */
  ageMs: number;
  rowCount: number;
}

export async function readState(db: pg.Pool, tableName: string): Promise<RollupState | null> {
  const { rows } = await db.query<{ signature: string; built_at: Date; age_ms: number; row_count: string }>(
    `SELECT signature, built_at, (extract(epoch FROM now() - built_at) * 1000)::float8 AS age_ms, row_count
       FROM ${STATE} WHERE table_name = $1`,
    [tableName],
  );
  const r = rows[0];
  return r
    ? { signature: r.signature, builtAt: r.built_at, ageMs: Number(r.age_ms), rowCount: Number(r.row_count) }
    : null;
}

/**
 * Recomputes the rollup in one scan of the synced table (three grouping sets) and records the signature the
 * table had before the scan: a sync that lands during the scan moves the signature, so the next check
 * rebuilds again. One transaction: readers see the old rollup or the new one, never a mix.
 */
export async function rebuildRollup(
  client: MaintenanceSql,
  sqlName: string,
  tableName: string,
  signature: string,
): Promise<{ ms: number; rows: number }> {
  const started = performance.now();
  await client.query("BEGIN");
  try {
    await client.query(`DELETE FROM ${ROLLUP} WHERE table_name = $1`, [tableName]);
    // Revenue (cents) is summed per day only: the trend reads months off the day dimension.
    await client.query(
      `INSERT INTO ${ROLLUP} (table_name, dim, bucket, status, priority, n, cents)
       SELECT $1, CASE WHEN GROUPING(d) = 0 THEN 'd' WHEN GROUPING(p) = 0 THEN 'p' ELSE 'k' END,
              COALESCE(d, p, k), status, priority, count(*),
              CASE WHEN GROUPING(d) = 0 THEN COALESCE(sum(cents), 0) ELSE 0 END
         FROM (SELECT ${BUCKETS}, o.o_orderstatus AS status, o.o_orderpriority AS priority,
                      (o.o_totalprice * 100)::bigint AS cents FROM ${sqlName} o) t
        GROUP BY GROUPING SETS ((d, status, priority), (p, status, priority), (k, status, priority))`,
      [tableName],
    );
    const { rows } = await client.query<{ n: string }>(
      `SELECT COALESCE(sum(n), 0)::text AS n FROM ${ROLLUP} WHERE table_name = $1 AND dim = 'd'`,
      [tableName],
    );
    const rowCount = Number(rows[0]?.n ?? 0);
    const ms = Math.round(performance.now() - started);
    await client.query(
      `INSERT INTO ${STATE} (table_name, signature, built_at, build_ms, row_count) VALUES ($1, $2, now(), $3, $4)
       ON CONFLICT (table_name) DO UPDATE
         SET signature = EXCLUDED.signature, built_at = EXCLUDED.built_at, build_ms = EXCLUDED.build_ms,
             row_count = EXCLUDED.row_count`,
      [tableName, signature, ms, rowCount],
    );
    await client.query("COMMIT");
    return { ms, rows: rowCount };
  } catch (error) {
    // On a lost session there is nothing to roll back (the server did), and nothing more to send on it.
    if (!isConnectionLost(error)) await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

export async function loadRollup(db: pg.Pool, tableName: string): Promise<RollupRow[]> {
  const { rows } = await db.query<{
    dim: RollupRow["dim"];
    bucket: string;
    status: string;
    priority: string;
    n: string;
    cents: string;
  }>(
    `SELECT dim, bucket::text, status, priority, n::text, cents::text FROM ${ROLLUP} WHERE table_name = $1`,
    [tableName],
  );
  return rows.map((r) => ({
    dim: r.dim,
    bucket: Number(r.bucket),
    status: r.status,
    priority: r.priority,
    n: Number(r.n),
    cents: BigInt(r.cents),
  }));
}

/** The overrides that differ from the synced status, with the buckets of their orders. */
export async function loadCorrections(db: pg.Pool, sqlName: string): Promise<Correction[]> {
  const { rows } = await db.query<{
    d: number;
    p: string;
    k: string;
    priority: string;
    synced: string;
    status: string;
    cents: string;
  }>(
    `SELECT ${BUCKETS}, o.o_orderpriority AS priority, o.o_orderstatus AS synced, s.status,
            (o.o_totalprice * 100)::bigint::text AS cents
       FROM app_data.order_status s JOIN ${sqlName} o ON o.o_orderkey = s.order_key
      WHERE s.status <> o.o_orderstatus`,
  );
  return rows.map((r) => ({
    day: Number(r.d),
    priceBucket: Number(r.p),
    keyBucket: Number(r.k),
    priority: r.priority,
    synced: r.synced,
    status: r.status,
    cents: BigInt(r.cents),
  }));
}
