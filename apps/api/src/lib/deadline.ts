/** What a deadline rejects with; `code` makes connection classifiers treat it as a timeout. */
export class DeadlineError extends Error {
  override readonly name = "DeadlineError";
  readonly code = "ETIMEDOUT";
}

/**
 * The work's result, or a DeadlineError once `ms` have passed. The work itself goes on (a query, an HTTP
 * call): only the caller stops waiting, so use it where the work is bounded on its own or harmless to finish.
 *
 * @example
 * const rows = await withDeadline(pool.query("SELECT 1"), 2000, "the database did not answer within 2 s");
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(message)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Exponential backoff with full jitter: attempt 1 waits about `baseMs`, never more than `maxMs`. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
