// Driver and server codes that say the connection, not the statement, failed: the server ended the session
// (57P01 admin shutdown / pg_terminate_backend, 57P02 crash, 57P03 not accepting yet), the connection class
// 08 (lost, refused, broken), and socket errors. A statement on another, fresh connection may well succeed.
const CONNECTION_CODES = new Set(["57P01", "57P02", "57P03", "ECONNRESET", "ECONNREFUSED", "EPIPE"]);

// pg and Prisma report a socket that went away mid-query without a code, only with these fixed messages.
const CONNECTION_MESSAGES =
  /Connection terminated|terminating connection|Client has encountered a connection error|Connection is closed|connection ended|the database system is (shutting down|starting up)|server closed the connection|ConnectionClosed|socket hang up/i;

// A connect that never reached the server: nothing was sent, so even a write is known not to have happened.
const NEVER_CONNECTED_CODES = new Set([
  "ECONNREFUSED",
  "57P03",
  "08001",
  "08004",
  "ENOTFOUND",
  "EHOSTUNREACH",
]);

// The database cannot be used right now, before or under a statement: the two sets above, plus connects that
// time out, Prisma's "can't reach" codes, too many connections (53300) and a token that cannot be had.
const UNREACHABLE_CODES = new Set(["ETIMEDOUT", "P1001", "P1002", "P1008", "P1017", "53300"]);
const UNREACHABLE_MESSAGES =
  /Connection terminated due to connection timeout|Can't reach database server|DatabaseNotReachable|TokenUnavailableError/i;

// Every connection of the pool is busy and none came free in time: backpressure, not an outage. pg-pool says
// so in this fixed message when a caller waited `connectionTimeoutMillis` in its queue (a connect that itself
// times out is "Connection terminated due to connection timeout"); P2024 is Prisma's own pool's, P2028 its
// interactive transaction's ("Unable to start a transaction in the given time", or out of its time: rolled
// back either way).
const SATURATED_CODES = new Set(["P2024", "P2028"]);
const SATURATED_MESSAGES = /timeout exceeded when trying to connect/i;

// The statement gave up waiting within its budget: 55P03 a lock (lock_timeout), 57014 the statement
// (statement_timeout, or cancelled). The database works; the table or the server is busy.
const BUSY_CODES = new Set(["55P03", "57014"]);

/** Every code and message along an error's wrappers (Prisma's meta and driver-adapter error, `cause`). */
function* facets(error: unknown, depth = 0): Generator<{ code?: string; message?: string }> {
  if (typeof error !== "object" || error === null || depth > 6) return;
  const e = error as {
    code?: unknown;
    originalCode?: unknown;
    message?: unknown;
    originalMessage?: unknown;
    kind?: unknown;
    name?: unknown;
    cause?: unknown;
    meta?: { code?: unknown; message?: unknown; driverAdapterError?: unknown };
  };
  for (const code of [e.code, e.originalCode, e.meta?.code, e.kind]) {
    if (typeof code === "string") yield { code };
  }
  for (const message of [e.message, e.originalMessage, e.meta?.message, e.name]) {
    if (typeof message === "string") yield { message };
  }
  yield* facets(e.meta?.driverAdapterError, depth + 1);
  if (e.cause !== error) yield* facets(e.cause, depth + 1);
}

/**
 * True when the connection failed under a statement (a restart, a failover, a terminated backend, a
 * dropped socket) as opposed to the statement itself (bad SQL, a constraint, a statement timeout).
 * Timeouts are not included on purpose: a second attempt would double a wait that is already long.
 */
export function isConnectionLost(error: unknown): boolean {
  for (const { code, message } of facets(error)) {
    if (code && (CONNECTION_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || code === "ConnectionClosed"))
      return true;
    if (message && CONNECTION_MESSAGES.test(message)) return true;
  }
  return false;
}

/** True when the statement never reached the server (refused or failed login), so a write did not happen. */
export function neverConnected(error: unknown): boolean {
  for (const { code } of facets(error)) if (code && NEVER_CONNECTED_CODES.has(code)) return true;
  return false;
}

/** The first SQLSTATE (five characters) along an error's wrappers, e.g. 42P01 for a missing table. */
export function sqlState(error: unknown): string | undefined {
  // Prisma's own codes have the same shape (P2010 "raw query failed" wraps the server's 55P03); PostgreSQL's
  // class P0 (PL/pgSQL) starts with P0.
  for (const { code } of facets(error))
    if (code && /^[0-9A-Z]{5}$/.test(code) && !PRISMA_CODE.test(code)) return code;
  return undefined;
}

const PRISMA_CODE = /^P[1-9][0-9]{3}$/;

/**
 * True when the database cannot be used right now (lost, refused, not reachable, overloaded, no token), as
 * opposed to a statement that failed on its own: what a read replica falls back on, and what callers get as
 * "unavailable, retry shortly".
 */
export function isUnreachable(error: unknown): boolean {
  if (isConnectionLost(error) || neverConnected(error)) return true;
  for (const { code, message } of facets(error)) {
    if (code && UNREACHABLE_CODES.has(code)) return true;
    if (message && UNREACHABLE_MESSAGES.test(message)) return true;
  }
  return false;
}

/**
 * True when the pool had no connection to give within its wait (every one busy): backpressure. It says nothing
 * about the database's health, so a read must not fall back to another pool for it (a fallback storm would
 * carry the load to the primary) and must not mark anything down: the caller waits its turn or gets 503.
 */
export function isPoolSaturated(error: unknown): boolean {
  for (const { code, message } of facets(error)) {
    if (code && SATURATED_CODES.has(code)) return true;
    if (message && SATURATED_MESSAGES.test(message)) return true;
  }
  return false;
}

/**
 * True when a hot standby cancelled the statement because replaying the primary's WAL needed what it held (a
 * lock the primary took, such as a refresh's ACCESS EXCLUSIVE, or rows a vacuum removed): 40001 or 40P01
 * "canceling statement due to conflict with recovery". Nothing is wrong with the statement; the primary
 * can answer it (or is itself where the lock is).
 */
export function isRecoveryConflict(error: unknown): boolean {
  const code = sqlState(error);
  if (code !== "40001" && code !== "40P01") return false;
  // 40001 is also a serialization failure on the primary (not this): the message tells them apart.
  for (const { message } of facets(error))
    if (message && /conflict with recovery/i.test(message)) return true;
  return false;
}

/** True when a statement gave up waiting for a lock (55P03, `lock_timeout`). */
export function isLockTimeout(error: unknown): boolean {
  return sqlState(error) === "55P03";
}

/**
 * True when the database is reachable but could not finish the statement within its budget: a lock it
 * waited for (55P03), its statement timeout or a cancel (57014), or no free connection (a saturated pool).
 * Worth another try shortly; not a reason to fall back to another database.
 */
export function isBusy(error: unknown): boolean {
  const code = sqlState(error);
  return (code !== undefined && BUSY_CODES.has(code)) || isPoolSaturated(error);
}
