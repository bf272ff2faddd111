import { isConnectionLost } from "./connection-errors.ts";

export interface ReadRetryOptions {
  /** Called before the second attempt (a log line, a counter). */
  onRetry?: (error: unknown) => void;
  /**
   * Pause before the second attempt (default 25 ms). A restart or failover ends every connection at once;
   * the pause lets the pool take in the other connections' hang-ups first, so the retry gets a fresh one
   * rather than a sibling that is already dead but not yet noticed.
   */
  delayMs?: number;
}

/**
 * Runs a read and, when it fails because its connection was lost (see `isConnectionLost`), runs it once
 * more. Only for reads: a write that lost its connection may or may not have committed, and running it
 * again blindly could apply it twice. Works for any read, Prisma or plain pg: the pool drops the dead
 * connection when the failed query gives it back, so the second attempt runs on another one.
 *
 * @example
 * const rows = await retryRead(() => pool.query("SELECT ...", [key]));
 */
export async function retryRead<T>(read: () => Promise<T>, options: ReadRetryOptions = {}): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!isConnectionLost(error)) throw error;
    options.onRetry?.(error);
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 25));
    return read();
  }
}
