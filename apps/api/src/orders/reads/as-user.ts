import type { AppConfig } from "@lakebase-orders/config";
import {
  createUserPools,
  type Db,
  PermitTimeoutError,
  sqlState,
  type UserLease,
  type UserPools,
  type UserPoolsStats,
} from "@lakebase-orders/db";
import { isApiError } from "@lakebase-orders/lakebase-api";
import { userCredentialSource } from "@lakebase-orders/lakebase-auth";
import type { Logger } from "@lakebase-orders/log";
import { DomainError, forbidden, unauthorized, unavailable } from "../../errors/domain-error.ts";
import type { Identity } from "../../identity/identity.ts";

/** Reads as one signed-in user (ORDERS_READ_AS_USER=on): their pool, and whose rows the caches keep apart. */
export interface UserReader {
  /** Whose rows these are: caches key by it. */
  readonly key: string;
  /** A connection's worth of the user's pool; a full cap is 503 with Retry-After. */
  lease(): Promise<UserLease>;
}

/** The per-request decision of the read mode, and the pools behind it. */
export interface UserReads {
  /**
   * The reader of a signed-in user; null for whoever keeps the app's own path (anonymous callers, the local
   * identity). A signed-in user without a forwarded token or e-mail is refused (403): reading as the app
   * instead would show them every row.
   */
  readerFor(identity: Identity, userToken: string | null): UserReader | null;
  stats(): UserPoolsStats | null;
  close(): Promise<void>;
}

/** 503 with `Retry-After`: every user connection is taken. */
export class RetryLaterError extends DomainError {
  constructor(message: string, retryAfterSeconds: number) {
    super("unavailable", message, { retryAfterSeconds });
  }
}

export const NO_DATABASE_ROLE =
  "You have no database role: ask the database owner to create a Postgres role for your Databricks identity (and grant it what you may read).";
export const NO_USER_TOKEN =
  "Reads run as the signed-in user (ORDERS_READ_AS_USER=on), but the request carries no user token: add the `postgres` scope to the app's user authorization.";

/**
 * The read mode as the user, or null when it is off. Users log in where the app does (its primary), with a
 * credential asked for with their own token (lakebase-auth `userCredentialSource`); the pools are made on
 * first use, once the app's own address is known.
 */
export function createUserReads(config: AppConfig, db: Db, logger: Logger): UserReads | null {
  if (!config.database.readAsUser) return null;
  const settings = config.database.userPools;
  let pools: UserPools | undefined;
  const poolsNow = (): UserPools => {
    if (pools) return pools;
    const target = db.target();
    if (!target) throw unavailable("The database address is not known yet; retry shortly.");
    const host = config.databricks?.host;
    const source = db.provider?.describe() ?? { flavour: "static" as const, target: "postgres" };
    pools = createUserPools({
      target,
      credential: userCredentialSource(source, {
        host: host ?? "",
        ...(config.databricks?.timeoutSeconds !== undefined && {
          timeoutSeconds: config.databricks.timeoutSeconds,
        }),
      }),
      perUser: settings.perUser,
      maxConnections: settings.maxConnections,
      idleMillis: settings.idleSeconds * 1000,
      waitMillis: settings.waitMillis,
      pool: db.config,
      logger,
    });
    logger.info("user_reads_on", {
      flavour: source.flavour,
      target: source.target,
      perUser: settings.perUser,
      maxConnections: settings.maxConnections,
    });
    return pools;
  };

  return {
    readerFor(identity, userToken) {
      if (identity.source !== "databricks-apps") return null;
      if (!userToken) throw forbidden(NO_USER_TOKEN);
      const role = identity.email;
      if (!role) throw forbidden(`${NO_DATABASE_ROLE} (the proxy sent no e-mail to log in with)`);
      return {
        key: role.toLowerCase(),
        lease: async () => {
          try {
            return await poolsNow().lease({ role, token: userToken });
          } catch (error) {
            if (error instanceof PermitTimeoutError) {
              throw new RetryLaterError(
                `The database connections for signed-in users are all in use; retry shortly (${error.message}).`,
                error.retryAfterSeconds,
              );
            }
            throw error;
          }
        },
      };
    },
    stats: () => pools?.stats() ?? null,
    close: async () => {
      await pools?.close(1500);
    },
  };
}

/**
 * A user's read failed: a refused login or credential is about this user only (403, or 401 for a token
 * Databricks no longer takes), never a 500 and never "the database is down" for everyone; a role that may
 * not read the table is 403 too. Anything else is left to the usual mapping.
 */
export function mapUserReadError(error: unknown, tableName: string): unknown {
  const code = sqlState(error);
  if (code === "28P01" || code === "28000") return forbidden(NO_DATABASE_ROLE);
  if (code === "42501") {
    return forbidden(`Your database role may not read the orders (${tableName}): ask for a grant.`);
  }
  if (isApiError(error)) {
    if (error.statusCode === 401) return unauthorized("Databricks did not accept your token; sign in again.");
    if (error.statusCode === 403) {
      return forbidden(
        `Databricks refused you a database credential (you need CAN_USE on the database): ${error.message}`,
      );
    }
  }
  return error;
}
