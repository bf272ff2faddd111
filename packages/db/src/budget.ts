import type pg from "pg";
import { isLockTimeout } from "./connection-errors.ts";

/** How long one statement of a piece of work may wait for a lock, and may run (0: no limit). */
export interface SessionBudget {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

/**
 * Long work of the app's own (the rollup's scan, index builds, an export) on a table that a refresh may lock:
 * it takes its locks only if they come within a second, so it never sits in the lock queue in front of a
 * refresh (every reader after the refresh would wait behind both), and then it may run as long as it needs.
 */
export const LONG_WORK_BUDGET: SessionBudget = { lockTimeoutMs: 1_000, statementTimeoutMs: 0 };

type Session = Pick<pg.ClientBase, "query">;

/**
 * Runs `work` on `client` under `budget` (session settings, so every statement of the work has them),
 * then restores the pool's settings. A failure leaves the settings as they are: the caller discards a
 * client whose work failed (`release(error)`), as it must anyway when a statement was cut mid-transaction.
 *
 * @example
 * const client = await pool.connect();
 * await withSessionBudget(client, LONG_WORK_BUDGET, () => client.query("CREATE INDEX CONCURRENTLY ..."));
 */
export async function withSessionBudget<T>(
  client: Session,
  budget: SessionBudget,
  work: () => Promise<T>,
): Promise<T> {
  await client.query(
    `SET lock_timeout = ${Math.max(0, Math.floor(budget.lockTimeoutMs))}; SET statement_timeout = ${Math.max(0, Math.floor(budget.statementTimeoutMs))}`,
  );
  const result = await work();
  await client.query("RESET lock_timeout; RESET statement_timeout");
  return result;
}

export interface RetryWhenLockedOptions {
  /** Attempts, the first included (default 5). */
  attempts?: number;
  /** Pause before the second attempt (default 2 s), doubling, with jitter, up to `maxDelayMs` (default 30 s). */
  delayMs?: number;
  maxDelayMs?: number;
  /** Stops waiting (shutdown): the last lock timeout is thrown. */
  signal?: AbortSignal;
  /** Called before each pause (a log line). */
  onLocked?: (attempt: number, delayMs: number) => void;
}

/**
 * Runs `work` again, later, while it fails because a lock did not come within its `lock_timeout` (55P03):
 * someone else (a refresh, DDL) holds the table, and work that can wait should let them finish first rather
 * than queue. Any other failure is thrown at once; so is the last lock timeout.
 */
export async function retryWhenLocked<T>(
  work: () => Promise<T>,
  options: RetryWhenLockedOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  let delay = options.delayMs ?? 2_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isLockTimeout(error) || attempt >= attempts || options.signal?.aborted) throw error;
      const pause = Math.round(delay / 2 + (Math.random() * delay) / 2);
      options.onLocked?.(attempt, pause);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        options.signal?.addEventListener(
          "abort",
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
      if (options.signal?.aborted) throw error;
      delay = Math.min(delay * 2, options.maxDelayMs ?? 30_000);
    }
  }
}
