import { isRecoveryConflict, isUnreachable } from "@lakebase-orders/db";
import type { Logger } from "@lakebase-orders/log";
import pg from "pg";
import { mapDbError } from "../db-errors.ts";
import type { ReadOptions } from "../types.ts";
import { mapUserReadError, type UserReader } from "./as-user.ts";
import { type CopyOutOptions, copyOut } from "./copy-out.ts";
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

/** The one way every orders read reaches the database (see createReadPath). */
export interface ReadPath {
  /** Runs one read statement; the rows come back as node-postgres parsed them (bigint as number). */
  rows<R extends object>(statement: Statement, options?: ReadOptions): Promise<R[]>;
  /** Streams `COPY (...) TO STDOUT` (copy-out.ts) from the pool the same rules choose: the CSV export. */
  copy(statement: string, copy: CopyOutOptions, options?: ReadOptions): Promise<ReadableStream<Uint8Array>>;
}

/**
 * The one way every orders read reaches the database (the procedures' rows and the export's COPY alike):
 * node-postgres on the same token-injected pools as Prisma (no ORM layer on the hot path), named prepared
 * statements when the statement has a name. Reads go to the readable secondary unless the caller must see
 * its own writes; when the secondary cannot be reached the read runs on the primary, which then serves reads
 * for `replicaRetryAfterMs` (so a dead secondary does not cost a connect timeout per read). Query errors are
 * not retried. Failures come back as domain errors (missing synced table, database unreachable) or as they
 * are.
 */
export function createReadPath(options: ReadPathOptions): ReadPath {
  const { primary, replica, logger } = options;
  let replicaDownUntil = 0;

  const onReplica = async <T>(work: (pool: pg.Pool) => Promise<T>): Promise<T> => {
    try {
      return await work(replica!);
    } catch (error) {
      // The standby cancelled the read to replay the primary's WAL (a lock a refresh took, a vacuum): the
      // primary answers it now, or within its own lock budget (503 + Retry-After while the lock lasts).
      if (isRecoveryConflict(error)) {
        logger.info("db_read_replica_conflict", {
          fallback: "primary",
          message: error instanceof Error ? error.message.slice(0, 300) : String(error),
        });
        return work(primary);
      }
      if (!isUnreachable(error)) throw error;
      replicaDownUntil = Date.now() + options.replicaRetryAfterMs;
      logger.warn("db_read_replica_unreachable", {
        fallback: "primary",
        retryAfterMs: options.replicaRetryAfterMs,
        message: error instanceof Error ? error.message.slice(0, 300) : String(error),
      });
      return work(primary);
    }
  };

  // Where a read runs: the primary for a caller who must see their writes, while there is no secondary or
  // it is known to be down; else the secondary, falling back to the primary.
  const read = async <T>(work: (pool: pg.Pool) => Promise<T>, o: ReadOptions | undefined): Promise<T> => {
    try {
      if (!replica || o?.fromPrimary || Date.now() < replicaDownUntil) return await work(primary);
      return await onReplica(work);
    } catch (error) {
      throw mapDbError(error, options.tableName);
    }
  };

  // A signed-in user's read runs on their own pool, primary only (no fallback: their login is theirs).
  const asUser = async <T>(user: UserReader, work: (pool: pg.Pool, done: () => void) => Promise<T>) => {
    const lease = await user.lease();
    try {
      return await work(lease.pool, lease.release);
    } catch (error) {
      lease.release();
      throw mapDbError(mapUserReadError(error, options.tableName), options.tableName);
    }
  };

  return {
    rows: <R extends object>(s: Statement, o?: ReadOptions) => {
      const work = async (pool: pg.Pool) => (await pool.query<R>(queryConfig(s))).rows;
      if (!o?.asUser) return read(work, o);
      return asUser(o.asUser, async (pool, done) => {
        const rows = await work(pool);
        done();
        return rows;
      });
    },
    copy: (statement, copy, o) => {
      if (!o?.asUser) return read((pool) => copyOut(pool, statement, copy), o);
      // The lease lasts as long as the stream: its connection is held until the last byte.
      return asUser(o.asUser, (pool, done) =>
        copyOut(pool, statement, {
          ...copy,
          onEnd: () => {
            done();
            copy.onEnd?.();
          },
        }),
      );
    },
  };
}
