import type { AppConfig, LimitsConfig } from "@lakebase-orders/config";
import { clusterSpends } from "../../cluster/shared-limits.ts";
import {
  createRateLimiter,
  RateLimitedError,
  type RateLimiter,
  type RateLimiterOptions,
} from "./rate-limit.ts";

/** One caller's budget, as procedures see it. */
export interface CallerBudget {
  /**
   * Charges one expensive read (an exact count, stats, a deep page) identified by `what` (its procedure and
   * normalised input), unless this caller asked the same within the count cache's lifetime: that answer is
   * cached and costs nothing. Throws RateLimitedError (429) when the caller is over the limit.
   */
  expensiveRead(what: string): void;
  /** Charges one expensive read that no cache answers (an export), or throws RateLimitedError (429). */
  uncachedRead(): void;
}

/** The process's per-identity limits: built once, shared by every request. */
export interface Limits {
  /** Mutations, charged per call before the body is read. */
  readonly writes: RateLimiter;
  budgetFor(caller: string): CallerBudget;
}

const MAX_REMEMBERED = 10_000;

export function createLimits(
  config: { limits: Pick<LimitsConfig, "writesPerMinute" | "expensiveReadsPerMinute"> } & {
    orders: Pick<AppConfig["orders"], "countCacheTtlSeconds">;
  },
  options: {
    now?: () => number;
    /**
     * Builds each per-identity limiter (default: this process's token buckets, createRateLimiter); the seam
     * where limiters shared by every worker plug in.
     */
    limiter?: (options: RateLimiterOptions) => RateLimiter;
  } = {},
): Limits {
  const now = options.now ?? Date.now;
  const limiter = options.limiter ?? createRateLimiter;
  // Shared with the other workers of this server (per server, not per worker; each container has its own).
  const writes = limiter({ perMinute: config.limits.writesPerMinute, now, shared: clusterSpends("writes") });
  const reads = limiter({
    perMinute: config.limits.expensiveReadsPerMinute,
    now,
    shared: clusterSpends("reads"),
  });
  const ttlMs = config.orders.countCacheTtlSeconds * 1000;
  // When each caller last paid for each question: within the count cache's lifetime it is answered from
  // the cache. Bounded; the oldest are forgotten first (Map order is insertion order).
  const paid = new Map<string, number>();
  const charge = (caller: string) => {
    const taken = reads.take(caller);
    if (!taken.ok) {
      throw new RateLimitedError(
        `Too many uncached counts, deep pages and exports; retry in ${taken.retryAfterSeconds} s`,
        taken.retryAfterSeconds,
      );
    }
  };
  return {
    writes,
    budgetFor: (caller) => ({
      uncachedRead: () => charge(caller),
      expensiveRead(what) {
        const key = `${caller}\u0000${what}`;
        const at = paid.get(key);
        if (at !== undefined && now() - at < ttlMs) return;
        charge(caller);
        paid.delete(key);
        paid.set(key, now());
        if (paid.size > MAX_REMEMBERED) paid.delete(paid.keys().next().value!);
      },
    }),
  };
}
