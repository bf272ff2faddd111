import type pg from "pg";

/** A statement runner for long maintenance work (index builds, the rollup's scan): no time limit. */
export interface MaintenanceSql {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

// The pool's clients carry a client-side query timeout meant for requests; a build on a large table runs
// longer. When that timeout fires, node-postgres drops the queued statements behind the running one (a
// ROLLBACK, an unlock) and the connection would go back to the pool mid-transaction, still holding the lock.
const NO_LIMIT_MS = 24 * 60 * 60 * 1000;

// Advisory lock space of the orders maintenance (two-int form; the migrations use the one-bigint form).
const LOCK_CLASS = 881_501;

/**
 * Runs `work` on a pool connection holding a session advisory lock keyed by (`scope`, `lock`), with no
 * statement timeout; undefined when another process holds the lock (any worker of any instance). A failure
 * discards the connection instead of returning it to the pool, so whatever it was in the middle of (a
 * transaction, the lock) ends with it.
 */
export async function withMaintenanceLock<T>(
  pool: pg.Pool,
  scope: string,
  lock: number,
  work: (sql: MaintenanceSql) => Promise<T>,
): Promise<T | undefined> {
  const client = await pool.connect();
  const sql: MaintenanceSql = {
    query: <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
      // node-postgres reads a per-query query_timeout (client.js); its types do not declare it.
      client.query<R>({ text, values, query_timeout: NO_LIMIT_MS } as pg.QueryConfig),
  };
  try {
    const { rows } = await sql.query<{ ok: boolean }>(
      "SELECT pg_try_advisory_lock($1, hashtext($2) # $3) AS ok",
      [LOCK_CLASS, scope, lock],
    );
    if (!rows[0]?.ok) {
      client.release();
      return undefined;
    }
    await sql.query("SET statement_timeout = 0");
    const result = await work(sql);
    await sql.query("RESET statement_timeout");
    await sql.query("SELECT pg_advisory_unlock($1, hashtext($2) # $3)", [LOCK_CLASS, scope, lock]);
    client.release();
    return result;
  } catch (error) {
    client.release(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}

export const LOCKS = { rollup: 1, indexes: 2 } as const;
