import type pg from "pg";

/** A statement runner for long maintenance work (index builds, the rollup's scan): no time limit. */
export interface MaintenanceSql {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  /** The session's backend pid (what the yield watchdog cancels, what tests look for). */
  readonly pid: number;
}

// The pool's clients carry a client-side query timeout meant for requests; a build on a large table runs
// longer. When that timeout fires, node-postgres drops the queued statements behind the running one (a
// ROLLBACK, an unlock) and the connection would go back to the pool mid-transaction, still holding the lock.
const NO_LIMIT_MS = 24 * 60 * 60 * 1000;

// Advisory lock space of the orders maintenance (two-int form; the migrations use the one-bigint form).
export const LOCK_CLASS = 881_501;

export const LOCKS = { rollup: 1, indexes: 2, projection: 3 } as const;

/** How often a running job looks for a session it holds up on the table it yields to. */
const YIELD_CHECK_MS = 1000;

/**
 * The job stepped aside: a session (a refresh's TRUNCATE, DDL) waited for a lock the job held on the table,
 * and everyone queued behind that session would have waited too. The job runs again at a later check.
 */
export class MaintenanceYielded extends Error {
  constructor(table: string) {
    super(`stepped aside for a session waiting to lock ${table}; will run again later`);
    this.name = "MaintenanceYielded";
  }
}

/** The job was stopped by its owner (the process is shutting down). */
export class MaintenanceAborted extends Error {
  constructor() {
    super("maintenance stopped: the process is closing");
    this.name = "MaintenanceAborted";
  }
}

export interface MaintenanceOptions {
  /** Stops the job: its session ends at once, and with it whatever it was building (see below). */
  signal?: AbortSignal;
  /**
   * The table the job reads or builds on (`"schema"."table"`). While the job runs, a session that waits for
   * a lock on it because of the job (a refresh, DDL) makes the job cancel its statement and step aside, so
   * that our long work never stands in front of the table's own writer and, behind it, every reader.
   */
  yieldTo?: string;
}

/**
 * Runs `work` on a pool connection holding a session advisory lock keyed by (`scope`, `lock`), with no
 * statement timeout; undefined when another session holds the lock (any worker of any instance): the caller
 * tries again at its next check. A failure, an abort or a yield discards the connection instead of returning
 * it to the pool, so whatever it was in the middle of (a transaction, the lock) ends with it. The session
 * checks its client every second (`client_connection_check_interval`): when this process exits or drops the
 * connection mid-statement, the server stops the statement at once (a CONCURRENTLY build is left invalid, and
 * the next holder of the lock drops and rebuilds it) instead of finishing it, lock held, for no one.
 */
export async function withMaintenanceLock<T>(
  pool: pg.Pool,
  scope: string,
  lock: number,
  work: (sql: MaintenanceSql) => Promise<T>,
  options: MaintenanceOptions = {},
): Promise<T | undefined> {
  if (options.signal?.aborted) throw new MaintenanceAborted();
  const client = await pool.connect();
  const pid = (client as pg.PoolClient & { processID?: number }).processID ?? 0;
  const sql: MaintenanceSql = {
    pid,
    query: <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
      // node-postgres reads a per-query query_timeout (client.js); its types do not declare it.
      client.query<R>({ text, values, query_timeout: NO_LIMIT_MS } as pg.QueryConfig),
  };
  let released = false;
  const discard = (error: Error) => {
    if (released) return;
    released = true;
    client.release(error);
  };
  let yielded = false;
  let aborted = false;
  const onAbort = () => {
    aborted = true;
    // Ends the session: the server notices within its check interval and stops the running statement.
    discard(new MaintenanceAborted());
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  let watchdog: NodeJS.Timeout | undefined;
  try {
    const { rows } = await sql.query<{ ok: boolean }>(
      "SELECT pg_try_advisory_lock($1, hashtext($2) # $3) AS ok",
      [LOCK_CLASS, scope, lock],
    );
    if (!rows[0]?.ok) {
      released = true;
      client.release();
      return undefined;
    }
    await sql.query("SET statement_timeout = 0");
    // PostgreSQL 14+; where it is missing the build simply runs to its end after a lost client.
    await sql.query("SET client_connection_check_interval = '1s'").catch(() => undefined);
    if (options.yieldTo && pid) {
      const table = options.yieldTo;
      let checking = false;
      watchdog = setInterval(() => {
        if (checking) return;
        checking = true;
        holdsUp(pool, table, pid)
          .then(async (blocking) => {
            if (!blocking) return;
            // Again at every tick while it still holds the session up (a cancel between two statements of
            // the job hits nothing).
            yielded = true;
            await pool.query("SELECT pg_cancel_backend($1)", [pid]);
          })
          .catch(() => undefined)
          .finally(() => {
            checking = false;
          });
      }, YIELD_CHECK_MS);
      watchdog.unref();
    }
    const result = await work(sql);
    clearInterval(watchdog);
    await sql.query("RESET statement_timeout");
    await sql.query("RESET client_connection_check_interval").catch(() => undefined);
    await sql.query("SELECT pg_advisory_unlock($1, hashtext($2) # $3)", [LOCK_CLASS, scope, lock]);
    released = true;
    client.release();
    return result;
  } catch (error) {
    clearInterval(watchdog);
    discard(error instanceof Error ? error : new Error(String(error)));
    if (aborted) throw new MaintenanceAborted();
    if (yielded) throw new MaintenanceYielded(options.yieldTo ?? scope);
    throw error;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/** Whether a session waits for a lock on `table` that `pid` holds (or is queued before it). */
async function holdsUp(pool: pg.Pool, table: string, pid: number): Promise<boolean> {
  const { rows } = await pool.query<{ blocking: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM pg_locks l
        WHERE NOT l.granted AND l.locktype = 'relation' AND l.relation = to_regclass($1)
          AND $2 = ANY (pg_blocking_pids(l.pid))) AS blocking`,
    [table, pid],
  );
  return rows[0]?.blocking ?? false;
}
