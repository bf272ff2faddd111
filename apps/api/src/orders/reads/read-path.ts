import { isUnreachable } from "@lakebase-orders/db";
import type { Logger } from "@lakebase-orders/log";
import pg from "pg";
import { mapDbError } from "../db-errors.ts";
import type { ReadOptions } from "../types.ts";
import type { Statement } from "./sql-builder.ts";

export interface ReadPathOptions {
  /** The token-injected primary pool: writes' readers (read-your-writes) and the fallback. */
  primary: pg.Pool;
  /** The readable secondary's pool, when there is one. */
  replica?: pg.Pool | undefined;
  logger: Logger;
  /** After the replica could not be reached, reads go to the primary for this long. */
  replicaRetryAfterMs: number;
  /** For error messages: the synced table's full name. */
  tableName: string;
}

// bigint as a JS number: order keys (and counts) stay far below 2^53, and the rows are then the wire's shape.
const parseInt8 = (text: string) => Number(text);
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

/**
 * A statement as node-postgres sends it: a named one is prepared once per connection, an unnamed one planned
 * each time; bigint comes back as a number.
 */
export function queryConfig(s: Statement): pg.QueryConfig {
  return s.name === undefined
    ? { text: s.text, values: s.values, types: TYPES }
    : { name: s.name, text: s.text, values: s.values, types: TYPES };
}

/** Runs one read statement; the rows come back as node-postgres parsed them (bigint as number). */
export type ReadRows = <R extends object>(statement: Statement, options?: ReadOptions) => Promise<R[]>;

/**
 * The one way every orders read reaches the database: node-postgres on the same token-injected pools as
 * Prisma (no ORM layer on the hot path), named prepared statements when the statement has a name.
 * Reads go to the readable secondary unless the caller must see its own writes; when the secondary cannot
 * be reached the read runs on the primary, which then serves reads for `replicaRetryAfterMs` (so a dead
 * secondary does not cost a connect timeout per read). Query errors are not retried. Failures come back as
 * domain errors (missing synced table, database unreachable) or as they are.
 */
export function createReadPath(options: ReadPathOptions): ReadRows {
  const { primary, replica, logger } = options;
  let replicaDownUntil = 0;

  const run = async <R extends object>(pool: pg.Pool, s: Statement): Promise<R[]> => {
    const result = await pool.query<R>(queryConfig(s));
    return result.rows;
  };

  const onReplica = async <R extends object>(s: Statement): Promise<R[]> => {
    try {
      return await run<R>(replica!, s);
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      replicaDownUntil = Date.now() + options.replicaRetryAfterMs;
      logger.warn("db_read_replica_unreachable", {
        fallback: "primary",
        retryAfterMs: options.replicaRetryAfterMs,
        message: error instanceof Error ? error.message.slice(0, 300) : String(error),
      });
      return run<R>(primary, s);
    }
  };

  return async <R extends object>(s: Statement, o?: ReadOptions): Promise<R[]> => {
    try {
      if (!replica || o?.fromPrimary || Date.now() < replicaDownUntil) return await run<R>(primary, s);
      return await onReplica<R>(s);
    } catch (error) {
      throw mapDbError(error, options.tableName);
    }
  };
}
