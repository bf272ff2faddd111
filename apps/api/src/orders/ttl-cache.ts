/**
 * A small time-bounded memo for expensive aggregates (exact counts, stats over 1.5M rows):
 * - fresh for `ttlMs`: served from memory;
 * - then stale for another `ttlMs`: still served at once while one background refresh runs, so a busy
 *   endpoint never stalls every caller on the recomputation when the entry expires;
 * - older: callers wait for the recomputation.
 * Concurrent misses for one key share one computation (single flight). Failures are not cached.
 */
export interface TtlCache<V> {
  get(key: string, compute: () => Promise<V>): Promise<V>;
  /** Drops everything (after a write the next read recomputes and waits for it). */
  clear(): void;
}

export interface TtlCacheOptions {
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
}

export function createTtlCache<V>(options: TtlCacheOptions): TtlCache<V> {
  const { ttlMs, maxEntries = 1000, now = Date.now } = options;
  const entries = new Map<string, { value: V; at: number }>();
  const pending = new Map<string, Promise<V>>();
  let generation = 0;

  const refresh = (key: string, compute: () => Promise<V>): Promise<V> => {
    let flight = pending.get(key);
    if (flight) return flight;
    const started = generation;
    flight = compute()
      .then((value) => {
        // A clear() during the computation means the value may predate a write: do not keep it.
        if (started === generation && ttlMs > 0) {
          if (entries.size >= maxEntries) entries.clear();
          entries.set(key, { value, at: now() });
        }
        return value;
      })
      .finally(() => {
        if (pending.get(key) === flight) pending.delete(key);
      });
    pending.set(key, flight);
    return flight;
  };

  return {
    async get(key, compute) {
      const hit = entries.get(key);
      const age = hit ? now() - hit.at : Number.POSITIVE_INFINITY;
      if (hit && age < ttlMs) return hit.value;
      if (hit && age < 2 * ttlMs) {
        // Background refresh; its failure is the next caller's to see, not this one's.
        refresh(key, compute).catch(() => undefined);
        return hit.value;
      }
      return refresh(key, compute);
    },
    clear() {
      generation++;
      entries.clear();
      pending.clear();
    },
  };
}
