/**
 * A tiny time-bounded memo with single flight: concurrent misses for one key share one computation, so
 * a burst of identical count requests costs one query. Failures are not cached.
 */
export interface TtlCache<V> {
  get(key: string, compute: () => Promise<V>): Promise<V>;
  clear(): void;
}

export function createTtlCache<V>(ttlMs: number, maxEntries = 1000): TtlCache<V> {
  const entries = new Map<string, { value: V; until: number }>();
  const pending = new Map<string, Promise<V>>();
  let generation = 0;
  return {
    async get(key, compute) {
      const hit = entries.get(key);
      if (hit && hit.until > Date.now()) return hit.value;
      let flight = pending.get(key);
      if (!flight) {
        const started = generation;
        flight = compute()
          .then((value) => {
            // A clear() during the computation means the value may predate a write: do not keep it.
            if (started === generation && ttlMs > 0) {
              if (entries.size >= maxEntries) entries.clear();
              entries.set(key, { value, until: Date.now() + ttlMs });
            }
            return value;
          })
          .finally(() => pending.delete(key));
        pending.set(key, flight);
      }
      return flight;
    },
    clear() {
      generation++;
      entries.clear();
      pending.clear();
    },
  };
}
