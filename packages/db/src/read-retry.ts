import { isConnectionLost } from "./connection-errors.ts";

export interface ReadRetryOptions {
  /** Called before each further attempt (a log line, a counter). */
  onRetry?: (error: unknown) => void;
  /**
   * Pause before the second attempt (default 25 ms). A restart or failover ends every connection at once;
   * the pause lets the pool take in the other connections' hang-ups first (it drops the idle ones as soon as
   * it sees the first), so the retry gets a fresh connection.
   */
  delayMs?: number;
  /**
   * A retry that fails the same way within this long of the first failure met a connection the same
   * outage had already ended (one that was busy when the pool dropped its idle siblings, and was handed out
   * before its hang-up arrived): it goes once more (default 1000 ms). A later failure is a second outage.
   */
  sameOutageMs?: number;
}

/**
 * Runs a read and, when it fails because its connection was lost (see `isConnectionLost`), runs it again on a
 * fresh connection: once, and once more only if that connection turns out to have been ended by the same
 * outage. Only for reads: a write that lost its connection may or may not have committed, and running it
 * again blindly could apply it twice. Works for any read, Prisma or plain pg.
 *
 * @example
 * const rows = await retryRead(() => pool.query("SELECT ...", [key]));
 */
export async function retryRead<T>(read: () => Promise<T>, options: ReadRetryOptions = {}): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!isConnectionLost(error)) throw error;
    const failedAt = Date.now();
    options.onRetry?.(error);
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 25));
    try {
      return await read();
    } catch (again) {
      if (!isConnectionLost(again) || Date.now() - failedAt > (options.sameOutageMs ?? 1000)) throw again;
      options.onRetry?.(again);
      return read();
    }
  }
}
