import { isConnectionLost, sqlState } from "@lakebase-orders/db";
import type { Logger } from "@lakebase-orders/log";
import type pg from "pg";

// Riding through scale to zero. A Lakebase Autoscaling compute suspends after its suspend timeout without
// queries: its sessions end (57P01) and the next connection wakes it, "in a few hundred milliseconds". The
// pool already drops the ended sessions; what is left is the connection attempt that meets the compute
// while it goes down or comes up (refused, 57P03 "the database system is starting up", a session ended
// during its login): tried again here within a bounded wait, so the request behind it succeeds. Statements
// are prepared again on the new session by node-postgres itself (its prepared names are per connection).

/** How long a connection attempt keeps trying through a wake, all attempts together. */
export const WAKE_BUDGET_MS = 8_000;

/**
 * A connect that failed because the compute is not up at that very moment (it is suspending or waking),
 * not because of who connects (28xxx), where (08004: no such endpoint) or a full server (53300).
 */
export function isWaking(error: unknown): boolean {
  const state = sqlState(error);
  if (state === "57P03" || state === "57P01") return true;
  if (state && (state.startsWith("28") || state === "08004" || state === "53300")) return false;
  return isConnectionLost(error);
}

export interface RideThroughOptions {
  budgetMs?: number;
  /** First pause between attempts (doubling, at most 1 s). Default 100 ms. */
  baseDelayMs?: number;
  logger?: Logger;
}

type ConnectCallback = (
  error: Error | undefined,
  client?: pg.PoolClient,
  release?: (e?: unknown) => void,
) => void;

/**
 * Makes a pool's connection attempts ride through a compute waking from scale to zero: `pool.connect`
 * (which `pool.query` and Prisma's adapter call too) tries again on `isWaking` failures, with backoff, until
 * `budgetMs` has passed since the first attempt; any other failure, or the budget spent, is the caller's as
 * before. For Autoscaling pools only (the composition root decides): a Provisioned instance that refuses is
 * stopped, and a request should hear so at once.
 *
 * @example
 * createDbFromConfig(config, { instrumentPool: (pool) => rideThroughWakes(pool) });
 */
export function rideThroughWakes(pool: pg.Pool, options: RideThroughOptions = {}): void {
  const budgetMs = options.budgetMs ?? WAKE_BUDGET_MS;
  const baseDelayMs = options.baseDelayMs ?? 100;
  const connectOnce = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const connect = async (): Promise<pg.PoolClient> => {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const client = await connectOnce();
        if (attempt > 0) {
          options.logger?.info("db_connect_rode_through_wake", {
            attempts: attempt + 1,
            waitedMs: Date.now() - started,
          });
        }
        return client;
      } catch (error) {
        const pause = Math.min(1000, baseDelayMs * 2 ** attempt);
        if (pool.ended || !isWaking(error) || Date.now() - started + pause > budgetMs) throw error;
        options.logger?.debug("db_connect_waiting_for_wake", {
          attempt: attempt + 1,
          code: sqlState(error) ?? (error as { code?: string }).code ?? null,
        });
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  };
  // pg-pool's `connect` answers a callback (what `pool.query` passes) or a promise.
  (pool as { connect: unknown }).connect = (callback?: ConnectCallback) => {
    const connecting = connect();
    if (!callback) return connecting;
    connecting.then(
      (client) => callback(undefined, client, (e?: unknown) => client.release(e as Error | undefined)),
      (error: Error) => callback(error),
    );
    return undefined;
  };
}
