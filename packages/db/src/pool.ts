import type { PgConnection, TokenProvider } from "@lakebase-orders/lakebase-auth";
import { type Logger, silentLogger } from "@lakebase-orders/log";
import pg from "pg";
import { isConnectionLost, sqlState } from "./connection-errors.ts";
import { type DbPoolConfig, effectiveMaxLifetimeSeconds } from "./db-config.ts";

export type PoolRole = "primary" | "read" | "user";

/**
 * A node-postgres pool whose password is the token provider's `getToken`: pg calls it once per new physical
 * connection, so every login gets a current token and open connections are never touched.
 */
export function createTokenPool(
  connection: PgConnection | { connectionString: string },
  config: DbPoolConfig,
  options: {
    role?: PoolRole;
    logger?: Logger;
    /** Builds the pool from its final options (default `new pg.Pool`; see deferred-target.ts). */
    makePool?: (config: pg.PoolConfig) => pg.Pool;
    /** Overrides the connection's user and password (a signed-in user's pool: see user-pools/). */
    login?: { user: string; password: () => Promise<string> };
  } = {},
): pg.Pool {
  const makePool = options.makePool ?? ((c: pg.PoolConfig) => new pg.Pool(c));
  const role = options.role ?? "primary";
  const logger = options.logger ?? silentLogger;
  const tokenLifetime =
    "password" in connection && typeof connection.password !== "string"
      ? connection.password.metrics().lifetimeSeconds
      : undefined;
  const common: pg.PoolConfig = {
    max: config.max,
    maxLifetimeSeconds: effectiveMaxLifetimeSeconds(config, tokenLifetime),
    connectionTimeoutMillis: config.connectionTimeoutMillis,
    idleTimeoutMillis: config.idleTimeoutMillis,
    keepAlive: config.keepAlive,
    keepAliveInitialDelayMillis: config.keepAliveInitialDelayMillis,
    statement_timeout: config.statementTimeoutMillis,
    lock_timeout: config.lockTimeoutMillis,
    query_timeout:
      config.queryTimeoutMillis ??
      (config.statementTimeoutMillis > 0 ? config.statementTimeoutMillis + 5_000 : 0),
    application_name: config.applicationName,
  };
  let pool: pg.Pool;
  if ("connectionString" in connection) {
    pool = makePool({ ...common, connectionString: connection.connectionString });
  } else {
    const secret = connection.password;
    pool = makePool({
      ...common,
      host: connection.host,
      port: connection.port,
      database: connection.database,
      user: options.login?.user ?? connection.user,
      ssl: connection.ssl,
      password: options.login?.password ?? (typeof secret === "string" ? secret : () => secret.getToken()),
      // A user's login (options.login) brings its own password: a refusal is that user's, not the app token's.
      ...(!options.login && typeof secret !== "string" && { Client: refusedTokenClient(secret) }),
    });
  }
  // An idle client dropped by the server (57P01, a restart, a failover) is emitted here; unheard, it would
  // crash the process. The pool already discards the client, so logging is all that is left to do.
  pool.on("error", (error: Error & { code?: string }) => {
    if (error instanceof EvictedError) return;
    logger.warn("db_pool_client_error", { role, code: error.code ?? null, message: error.message });
  });
  trackClients(pool, {
    onCheckedOutError: (error) =>
      logger.warn("db_client_connection_lost", { role, code: error.code ?? null, message: error.message }),
    onIdleDropped: (evicted, cause) =>
      logger.warn("db_pool_idle_dropped", { role, evicted, cause: cause.slice(0, 200) }),
  });
  return pool;
}

/**
 * A client that tells the token provider when the database refused its token (28P01: revoked, or scoped
 * away before its expiry), so the provider drops it and the next connection logs in with a new one instead
 * of the same refused token until it expires. node-postgres keeps the password it used on the client.
 */
export function refusedTokenClient(provider: TokenProvider): typeof pg.Client {
  const refused = (client: pg.Client, error: unknown) => {
    const used = (client as unknown as { password?: unknown }).password;
    if (sqlState(error) === "28P01" && typeof used === "string") provider.discard?.(used);
  };
  type Callback = ((err: Error) => void) | ((err: null, c: pg.Client) => void);
  class TokenClient extends pg.Client {
    override connect(): Promise<pg.Client>;
    override connect(callback: Callback): void;
    override connect(callback?: Callback): Promise<pg.Client> | undefined {
      if (callback) {
        super.connect((err: Error | null, c?: pg.Client) => {
          if (err) refused(this, err);
          (callback as (err: Error | null, c?: pg.Client) => void)(err, c);
        });
        return undefined;
      }
      return super.connect().catch((err: unknown) => {
        refused(this, err);
        throw err;
      });
    }
  }
  return TokenClient;
}

class EvictedError extends Error {
  override readonly name = "EvictedError";
}

/**
 * Follows the pool's clients (open, checked out) for two things pg-pool leaves to its user.
 *
 * pg-pool hears a client's errors only while it is idle. One checked out with `pool.connect()` (maintenance,
 * export, a transaction) whose connection ends emits "error" too, and an "error" nobody hears is thrown from
 * the socket's callback: the process dies. Its queries fail on their own and the pool discards it on
 * release (it is no longer queryable), so hearing it is all that is needed.
 *
 * The pool drops dead clients at once. A connection lost under a query (a restart or failover ends every
 * connection together) means its idle siblings are most likely dead too, though their hang-ups may not have
 * arrived yet: they are dropped now, so the next query (a retried read) gets a fresh connection instead of
 * finding them dead one by one. Idle clients are known from the pool's own events; the drop goes through the
 * pool's documented path for an idle client that errors (it is removed and closed).
 */
function trackClients(
  pool: pg.Pool,
  on: {
    onCheckedOutError: (error: Error & { code?: string }) => void;
    onIdleDropped: (evicted: number, cause: string) => void;
  },
): void {
  const open = new Set<pg.PoolClient>();
  const busy = new Set<pg.PoolClient>();
  pool.on("connect", (client) => {
    open.add(client);
    let said = false;
    client.on("error", (error: Error & { code?: string }) => {
      // An idle client's error is the pool's (its "error" event, logged above). A session the server ends
      // errs twice (its FATAL message, then the closed socket): the first says why.
      if (said || !busy.has(client) || error instanceof EvictedError) return;
      said = true;
      on.onCheckedOutError(error);
    });
  });
  pool.on("acquire", (client) => busy.add(client));
  pool.on("remove", (client) => {
    open.delete(client);
    busy.delete(client);
  });
  pool.on("release", (error: Error | undefined, client: pg.PoolClient) => {
    busy.delete(client);
    if (!error) return;
    // Released with an error: the pool removes this one itself.
    open.delete(client);
    if (!isConnectionLost(error)) return;
    let evicted = 0;
    for (const idle of [...open]) {
      if (busy.has(idle)) continue;
      open.delete(idle);
      idle.emit("error", new EvictedError("dropped: a sibling connection was lost"));
      evicted++;
    }
    if (evicted > 0) on.onIdleDropped(evicted, error.message);
  });
}

/** Ends a pool, giving up after the deadline (a checked-out client that is never released would block forever). */
export async function endPool(pool: pg.Pool, deadlineMs: number): Promise<boolean> {
  if (pool.ended) return true;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), deadlineMs);
    timer.unref();
  });
  try {
    return await Promise.race([pool.end().then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
