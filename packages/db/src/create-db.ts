import type { AppConfig } from "@lakebase-orders/config";
import {
  type CachingOptions,
  ConnectionConfigError,
  type ConnectionSettings,
  type PgConnection,
  type ResolveDeps,
  type ResolvedConnection,
  resolveConnection,
  sslFor,
  type TokenProvider,
} from "@lakebase-orders/lakebase-auth";
import { type Logger, silentLogger } from "@lakebase-orders/log";
import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { type DbPoolConfig, type DbPoolConfigInput, parseDbPoolConfig } from "./db-config.ts";
import { createDeferredPool } from "./deferred-target.ts";
import { PrismaClient } from "./generated/prisma/client.ts";
import { createTokenPool, endPool, type PoolRole } from "./pool.ts";
import { createReadClient } from "./replica.ts";

/**
 * Either a plain URL (static password; e.g. a local LAKEBASE_PG_URL) or a resolved Lakebase connection whose
 * password is a token provider. Pool settings sit beside them; all are optional.
 */
export interface CreateDbOptions extends DbPoolConfigInput {
  /** postgresql://user:pass@host:port/db (e.g. LAKEBASE_PG_URL). */
  connectionString?: string;
  /** A resolved connection (see `resolveConnection`), with an optional readable secondary. */
  connection?: PgConnection & { read?: PgConnection };
  /** Pool size. */
  max?: number;
  logger?: Logger;
  /** Builds the primary pool from its final options (default `new pg.Pool`). */
  makePool?: (config: pg.PoolConfig) => pg.Pool;
  /** Called with each pool as it is built, before any query (e.g. to trace its queries). */
  instrumentPool?: (pool: pg.Pool, role: PoolRole) => void;
}

export interface Db {
  readonly prisma: PrismaClient;
  readonly pool: pg.Pool;
  /** Read-only queries: the replica with fallback to the primary, or `prisma` itself when there is no replica. */
  readonly read: PrismaClient;
  readonly readPool: pg.Pool | undefined;
  /** The token provider behind the primary pool, for metrics; undefined with a static password. */
  readonly provider: TokenProvider | undefined;
  readonly config: DbPoolConfig;
  /**
   * Where the primary pool logs in (host, port, database, TLS, the app's user and password): what per-user
   * pools reuse with their own login. Undefined while a deferred address is not resolved yet.
   */
  target(): PgConnection | undefined;
  /** Runs `select 1` through the pool, failing after the deadline. */
  ping(timeoutMs?: number): Promise<void>;
  /** Disconnects Prisma and ends the pools, giving up on stragglers after the deadline (default 5 s). */
  disconnect(deadlineMs?: number): Promise<void>;
}

export function createDb(options: CreateDbOptions): Db {
  const {
    connectionString,
    connection,
    logger = silentLogger,
    makePool,
    instrumentPool,
    ...poolInput
  } = options;
  if ((connectionString === undefined) === (connection === undefined)) {
    throw new Error("createDb: pass exactly one of connectionString or connection");
  }
  const config = parseDbPoolConfig(poolInput);
  const pool = createTokenPool(connection ?? { connectionString: connectionString ?? "" }, config, {
    role: "primary",
    logger,
    ...(makePool ? { makePool } : {}),
  });
  instrumentPool?.(pool, "primary");
  // The pool instance itself goes to the adapter: with one `pg` in the tree its `instanceof pg.Pool` holds and
  // Prisma uses our token-injected pool instead of silently building its own.
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });

  let readPool: pg.Pool | undefined;
  let readPrisma: PrismaClient | undefined;
  let read = prisma;
  if (connection?.read) {
    readPool = createTokenPool(connection.read, config, { role: "read", logger });
    instrumentPool?.(readPool, "read");
    readPrisma = new PrismaClient({ adapter: new PrismaPg(readPool) });
    read = createReadClient(readPrisma, prisma, { logger, retryAfterMs: config.replicaRetryAfterMillis });
  }
  const provider = connection && typeof connection.password !== "string" ? connection.password : undefined;
  const target = connection ?? urlTarget(connectionString ?? "");

  return {
    prisma,
    pool,
    read,
    readPool,
    provider,
    config,
    target: () => target,
    ping: async (timeoutMs = 2000) => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`database did not answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        await Promise.race([pool.query("select 1"), deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    disconnect: async (deadlineMs = 5000) => {
      const started = Date.now();
      const remaining = () => Math.max(0, deadlineMs - (Date.now() - started));
      await Promise.race([
        Promise.allSettled([prisma.$disconnect(), readPrisma?.$disconnect()]),
        new Promise((r) => setTimeout(r, remaining()).unref()),
      ]);
      const ended = await Promise.all([
        endPool(pool, remaining()),
        readPool ? endPool(readPool, remaining()) : true,
      ]);
      if (ended.includes(false)) {
        logger.warn("db_disconnect_deadline", {
          deadlineMs,
          note: "clients still checked out were abandoned",
        });
      }
    },
  };
}

/** A plain URL's address as a connection (its own password; TLS as its sslmode says, without a root CA). */
function urlTarget(connectionString: string): PgConnection | undefined {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return undefined;
  }
  const mode = url.searchParams.get("sslmode");
  const sslmode = mode === "require" || mode === "verify-ca" || mode === "verify-full" ? mode : "disable";
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 5432,
    database: decodeURIComponent(url.pathname.slice(1)) || "postgres",
    user: decodeURIComponent(url.username),
    sslmode,
    ssl: sslFor(sslmode, null),
    password: decodeURIComponent(url.password),
  };
}

export interface CreateDbFromConfigOptions {
  logger?: Logger;
  /** Overrides of the pool settings (the size comes from the configuration). */
  pool?: DbPoolConfigInput;
  workspaceClient?: ResolveDeps["workspaceClient"];
  tokenOptions?: CachingOptions;
  /** Refresh tokens ahead of need so a new connection never waits on the credential API (default true). */
  backgroundRefresh?: boolean;
  /**
   * How long start-up waits for the first token (default 5000 ms). A throttled or failing credential API must
   * not keep the server from listening: the pool asks again per connection.
   */
  firstTokenTimeoutMs?: number;
  instrumentPool?: CreateDbOptions["instrumentPool"];
}

/**
 * What the API calls at start-up: resolve the connection from the configuration, fetch the first token (so
 * misconfigured credentials show at once, and the pool learns the token lifetime), then build the pools.
 * A configuration mistake fails here; an address that cannot be learnt yet (the instance is missing or
 * starting, Databricks does not answer) does not: the pool resolves it on first use (deferred-target.ts).
 */
export async function createDbFromConfig(
  config: ConnectionSettings & Pick<AppConfig, "database">,
  options: CreateDbFromConfigOptions = {},
): Promise<Db> {
  const logger = options.logger ?? silentLogger;
  const resolve = () =>
    resolveConnection(config, {
      logger,
      ...(options.workspaceClient && { workspaceClient: options.workspaceClient }),
      ...(options.tokenOptions && { tokenOptions: options.tokenOptions }),
    });
  let connection: ResolvedConnection;
  try {
    connection = await resolve();
  } catch (error) {
    if (!resolvableLater(error)) throw error;
    return createDeferredDb(config, options, resolve, error);
  }
  const provider = connection.provider;
  if (connection.flavour !== "static") {
    const timeoutMs = options.firstTokenTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        provider.getToken(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer from the credential API within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      // Not fatal: the pool asks again per connection, and readiness reports the database as down meanwhile.
      logger.error("lakebase_first_token_failed", {
        message: error instanceof Error ? error.message : String(error),
      });
    } finally {
      clearTimeout(timer);
    }
    if (options.backgroundRefresh ?? true) provider.start();
  }
  const db = createDb({
    connection,
    logger,
    max: config.database.poolMax,
    ...options.pool,
    ...(options.instrumentPool && { instrumentPool: options.instrumentPool }),
  });
  return {
    ...db,
    disconnect: async (deadlineMs?: number) => {
      provider.stop();
      await db.disconnect(deadlineMs);
    },
  };
}

/**
 * A configuration mistake is for the operator to fix now; anything else (the instance does not exist or has
 * no address yet, Databricks is throttled or unreachable) may pass on its own.
 */
function resolvableLater(error: unknown): boolean {
  if (!(error instanceof ConnectionConfigError)) return true;
  // The one configuration error that is about the instance's state, not about the settings.
  return error.message.includes("read_write_dns");
}

/** The database of `createDbFromConfig` when its address is not known yet: resolved on first use. */
function createDeferredDb(
  config: ConnectionSettings & Pick<AppConfig, "database">,
  options: CreateDbFromConfigOptions,
  resolve: () => Promise<ResolvedConnection>,
  first: unknown,
): Db {
  const logger = options.logger ?? silentLogger;
  logger.warn("lakebase_connection_deferred", {
    reason: first instanceof Error ? first.message : String(first),
    note: "the server starts anyway; the address is looked up again on the next connection",
  });
  let resolved: ResolvedConnection | undefined;
  const placeholder: PgConnection = {
    host: "unresolved.invalid",
    port: config.connection.pg.port ?? 5432,
    database: config.connection.databaseName,
    user: "unresolved",
    sslmode: "disable",
    ssl: false,
    password: "",
  };
  const db = createDb({
    connection: placeholder,
    logger,
    max: config.database.poolMax,
    ...options.pool,
    ...(options.instrumentPool && { instrumentPool: options.instrumentPool }),
    makePool: (poolConfig) =>
      createDeferredPool(poolConfig, resolve, first, {
        onResolved: (connection) => {
          resolved = connection;
          if (connection.read) {
            logger.warn("lakebase_read_replica_skipped", {
              reason: "resolved after start-up; restart to use it",
            });
          }
          if (connection.flavour !== "static" && (options.backgroundRefresh ?? true))
            connection.provider.start();
        },
      }),
  });
  return {
    ...db,
    get provider() {
      return resolved?.provider;
    },
    target: () => resolved,
    disconnect: async (deadlineMs?: number) => {
      resolved?.provider.stop();
      await db.disconnect(deadlineMs);
    },
  };
}
