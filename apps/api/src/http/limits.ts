import type { AppConfig } from "@lakebase-orders/config";
import { createCache } from "../lib/cache.ts";
import { createRateLimiter, RateLimitedError, type RateLimiter } from "./rate-limit.ts";

/** One caller's budget, as procedures see it. */
export interface CallerBudget {
  /**
   * Charges one expensive read (an exact count, stats, a deep page) identified by `what` (its procedure and
   * normalised input), unless this caller asked the same within the count cache's lifetime: that answer is
   * cached and costs nothing. Throws RateLimitedError (429) when the caller is over the limit.
   */
  expensiveRead(what: string): void;
}

/** The process's per-identity limits: built once, shared by every request. */
export interface Limits {
  /** Mutations, charged per call before the body is read. */
  readonly writes: RateLimiter;
  budgetFor(caller: string): CallerBudget;
}

export function createLimits(
  config: Pick<AppConfig, "limits" | "orders">,
  options: { now?: () => number } = {},
): Limits {
  const now = options.now ?? Date.now;
  const writes = createRateLimiter({ perMinute: config.limits.writesPerMinute, now });
  const reads = createRateLimiter({ perMinute: config.limits.expensiveReadsPerMinute, now });
  const ttlMs = config.orders.countCacheTtlSeconds * 1000;
  const asked = createCache<true>({ ttlMs, maxEntries: 10_000, now });
  return {
    writes,
    budgetFor: (caller) => ({
      expensiveRead(what) {
        const key = `${caller}\u0000${what}`;
        const seen = asked.peek(key);
        if (seen && now() - seen.at < ttlMs) return;
        const taken = reads.take(caller);
        if (!taken.ok) {
          throw new RateLimitedError(
            `Too many uncached counts and deep pages; retry in ${taken.retryAfterSeconds} s`,
            taken.retryAfterSeconds,
          );
        }
        void asked.get(key, async () => true);
      },
    }),
  };
}
