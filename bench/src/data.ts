// The bench's data: TPC-H orders in a kept PostgreSQL cluster, shaped as Databricks creates a synced table
// (primary key only; whatever else the app wants it must create itself).
import fs from "node:fs";
import { type LocalPostgres, startLocalPostgres, withClient } from "@lakebase-orders/pg-local";
import { loadOrders } from "@lakebase-orders/tpch";
import pg from "pg";

export const DATABASE = "orders_bench";

export interface BenchData {
  postgres: LocalPostgres;
  url: string;
  rows: number;
  dataDir: string;
}

/** Directory of the kept cluster for `rows` (BENCH_DATA_DIR wins). */
export function dataDirFor(rows: number): string {
  return process.env.BENCH_DATA_DIR ?? `/tmp/lakebase-orders-bench/pg16-${rows}`;
}

/**
 * Starts the kept cluster and makes sure it holds exactly `rows` orders in a primary-key-only
 * `public.orders_synced`. With `pristine`, every index but the primary key is dropped first and the app's
 * own tables are reset (a "before" run must not inherit what an "after" run built).
 */
export async function openBenchData(
  rows: number,
  options: { pristine?: boolean; log: (line: string) => void },
): Promise<BenchData> {
  const dataDir = dataDirFor(rows);
  fs.mkdirSync(dataDir, { recursive: true });
  const postgres = await startLocalPostgres({ dataDir, fast: true });
  const url = postgres.url(DATABASE);
  try {
    await ensureLoaded(postgres, rows, options.log);
    if (options.pristine) await makePristine(url, options.log);
  } catch (error) {
    await postgres.stop();
    throw error;
  }
  return { postgres, url, rows, dataDir };
}

async function ensureLoaded(postgres: LocalPostgres, rows: number, log: (line: string) => void) {
  const admin = new pg.Client({ connectionString: postgres.url("postgres") });
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (exists.rowCount === 1) {
      const ready = await withClient(postgres.url(DATABASE), (c) =>
        c
          .query<{ rows: string }>("SELECT rows FROM public.bench_loaded")
          .then((r) => Number(r.rows[0]?.rows) === rows)
          .catch(() => false),
      );
      if (ready) return log(`reusing ${rows.toLocaleString("en")} orders in ${postgres.dataDir}`);
      await admin.query(`DROP DATABASE ${DATABASE} WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  log(`loading ${rows.toLocaleString("en")} orders into ${postgres.dataDir} (kept for the next run)...`);
  await withClient(postgres.url(DATABASE), async (c) => {
    let lastReport = 0;
    const loaded = await loadOrders(c, {
      rows,
      onProgress: (done, total) => {
        if (done - lastReport >= 1_000_000 || done === total) {
          lastReport = done;
          log(`  ${done.toLocaleString("en")} / ${total.toLocaleString("en")}`);
        }
      },
    });
    const vacuumStarted = performance.now();
    // The visibility map lets key scans be index-only, as on a settled synced table.
    await c.query("VACUUM (ANALYZE) public.orders_synced");
    await c.query("CREATE TABLE public.bench_loaded AS SELECT $1::bigint AS rows", [rows]);
    log(
      `loaded in ${(loaded.ms / 1000).toFixed(1)} s, vacuum + analyze ${((performance.now() - vacuumStarted) / 1000).toFixed(1)} s`,
    );
  });
}

/** Primary key only, and no app tables: the state before the app has ever run on this database. */
async function makePristine(url: string, log: (line: string) => void) {
  await withClient(url, async (c) => {
    const { rows } = await c.query<{ name: string }>(
      `SELECT i.relname AS name FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'public.orders_synced'::regclass AND NOT x.indisprimary`,
    );
    for (const r of rows) await c.query(`DROP INDEX public.${pg.escapeIdentifier(r.name)}`);
    await c.query("DROP SCHEMA IF EXISTS app_data CASCADE");
    if (rows.length > 0) log(`dropped ${rows.length} secondary index(es): the table is primary-key only`);
  });
}

/**
 * A copy of the bench database, as the app would first find it (primary key only, no app schema), for a
 * server that must not share the app's schema with the others: another build's migrations (telemetry's
 * --baseline). Made from the kept database as a template, so nothing may be connected to it meanwhile.
 */
export async function pristineCopy(
  data: BenchData,
  name: string,
  log: (line: string) => void,
): Promise<string> {
  await withClient(data.postgres.url("postgres"), async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)}`);
    await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(DATABASE)}`);
  });
  const url = data.postgres.url(name);
  await makePristine(url, log);
  return url;
}

/** Bytes of the table with its indexes, and free disk where the cluster lives. */
export async function sizes(url: string): Promise<{ table: string; indexes: string }> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ table: string; indexes: string }>(
      `SELECT pg_size_pretty(pg_table_size('public.orders_synced')) AS table,
              pg_size_pretty(pg_indexes_size('public.orders_synced')) AS indexes`,
    );
    return rows[0] ?? { table: "?", indexes: "?" };
  });
}
