import type { Context, Env, MiddlewareHandler } from "hono";
import { DomainError } from "../../errors/domain-error.ts";
import { type Check, checks } from "./checks.ts";
import { refuse } from "./refusal.ts";

export type Take = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Takes `cost` tokens from `key`'s bucket, or says how long until it may try again. */
  take(key: string, cost?: number): Take;
}

/** Spends shared between limiters of one kind in several processes (cluster workers). */
export interface SharedSpends {
  /** This limiter let a request through that cost `cost` of `key`'s tokens. */
  spent(key: string, cost: number): void;
  /** Another process's limiter did. */
  onSpent(handler: (key: string, cost: number) => void): void;
}

export interface RateLimiterOptions {
  /** Tokens per minute, also the burst; 0: no limit. */
  perMinute: number;
  /**
   * The same limit's spends in the other workers (cluster/shared-limits.ts): every worker's bucket is
   * charged with every spend, so the limit holds per server, not per worker.
   */
  shared?: SharedSpends | undefined;
  /** Buckets kept at most (oldest forgotten first; a forgotten bucket is a full one). */
  maxKeys?: number;
  now?: () => number;
}

/**
 * A token bucket per key (an identity): `perMinute` tokens, refilled continuously. A request costing more
 * than the bucket holds waits for a full bucket rather than never passing.
 *
 * @example
 * const writes = createRateLimiter({ perMinute: 60 });
 * writes.take("ada@example.com"); // { ok: true }
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { perMinute, maxKeys = 10_000, now = Date.now } = options;
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  // Another worker's spend: charged here too. A bucket may go below zero (spends that crossed on their way),
  // which only makes this worker wait that much longer.
  options.shared?.onSpent((key, cost) => {
    if (perMinute <= 0) return;
    const t = now();
    const kept = buckets.get(key);
    const tokens = kept ? Math.min(perMinute, kept.tokens + (t - kept.at) * perMs) : perMinute;
    buckets.delete(key);
    buckets.set(key, { tokens: Math.max(-perMinute, tokens - cost), at: t });
    if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
  });
  return {
    take(key, cost = 1) {
      if (perMinute <= 0) return { ok: true };
      const t = now();
      const kept = buckets.get(key);
      const tokens = kept ? Math.min(perMinute, kept.tokens + (t - kept.at) * perMs) : perMinute;
      const needed = Math.min(cost, perMinute);
      buckets.delete(key);
      if (tokens < needed) {
        buckets.set(key, { tokens, at: t });
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((needed - tokens) / perMs / 1000)) };
      }
      buckets.set(key, { tokens: tokens - cost, at: t });
      options.shared?.spent(key, cost);
      // Map order is insertion order: the first key is the least recently seen.
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
      return { ok: true };
    },
  };
}

/** What a procedure throws when its caller is over a limit; `Retry-After` goes on the response. */
export class RateLimitedError extends DomainError {
  declare readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super("too_many_requests", message, { retryAfterSeconds });
  }
}

export interface RateLimitOptions<E extends Env = Env> {
  limiter: RateLimiter;
  /** Whose bucket: an identity, e.g. the actor. */
  key: (c: Context<E>) => string;
  /** Tokens this request costs (default 1), e.g. the number of calls in a batch. */
  cost?: (c: Context<E>) => number;
  /** Which requests count (default: all). */
  when?: (c: Context<E>) => boolean;
  /** What is limited, for the message, e.g. "changes". */
  what?: string;
}

/**
 * 429 with Retry-After once a key has spent its tokens, before any work.
 *
 * @example
 * app.post("/api/*", rateLimit({ limiter: writes, key: (c) => c.get("identity").actor }));
 */
export function rateLimit<E extends Env>(options: RateLimitOptions<E>): MiddlewareHandler<E> {
  return checks(rateLimitCheck(options));
}

/** `rateLimit` as a check, to run with others in one level. */
export function rateLimitCheck<E extends Env>(options: RateLimitOptions<E>): Check<E> {
  return (c) => {
    if (options.when && !options.when(c)) return undefined;
    const taken = options.limiter.take(options.key(c), options.cost?.(c) ?? 1);
    if (taken.ok) return undefined;
    const seconds = String(taken.retryAfterSeconds);
    return refuse(c, "TOO_MANY_REQUESTS", `Too many ${options.what ?? "requests"}; retry in ${seconds} s`, {
      "Retry-After": seconds,
    });
  };
}
