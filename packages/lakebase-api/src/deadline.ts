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
