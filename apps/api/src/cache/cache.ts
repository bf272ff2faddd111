/**
 * The one memo of the app: single flight plus a time bound, for anything that is expensive to ask for
 * (exact counts and stats, the Databricks status snapshot, "does the synced table exist").
 * - Concurrent misses for one key share one computation (single flight). Failures are not kept.
 * - A value is fresh for `ttlMs` (a function of the value when absent and present things deserve different
 *   lifetimes); 0 keeps nothing and only shares flights.
 * - Then, for `staleMs`, it is still served at once while one background refresh runs, so a busy caller never
 *   stalls on the recomputation when the entry expires. Older: callers wait for the recomputation.
 * - A caller may ask for a value no older than `maxAgeMs` (0: a new one, or the flight already under way).
 * - `clear()` forgets everything, and a computation that started before it is not kept: its value may
 *   predate the write that caused the clear.
 */
export interface Cache<V> {
  get(key: string, compute: () => Promise<V>, options?: { maxAgeMs?: number }): Promise<V>;
  /** The kept value and when it was computed, without computing. */
  peek(key: string): { value: V; at: number } | undefined;
  clear(): void;
  /**
   * Forgets the keys `match` picks (their values and the computations under way for them, which may
   * predate the change that made them wrong); the others stay.
   */
  forget(match: (key: string) => boolean): void;
}

export interface CacheOptions<V> {
  /** Names the cache in `cacheLookups()` (the telemetry's cache hit counts); unnamed caches are not counted. */
  name?: string;
  ttlMs: number | ((value: V) => number);
  staleMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/** How often the caches of one name answered fresh (hits), stale (while refreshing) or only after computing. */
export interface CacheLookups {
  hits: number;
  stale: number;
  misses: number;
}

// Per name, for the whole process: counters only grow, so caches rebuilt (tests, a new admin) add up.
const lookups = new Map<string, CacheLookups>();

/** Lookups of every named cache since the process started. */
export function cacheLookups(): ReadonlyMap<string, Readonly<CacheLookups>> {
  return lookups;
}

export function createCache<V>(options: CacheOptions<V>): Cache<V> {
  const { staleMs = 0, maxEntries = 1000, now = Date.now } = options;
  let counts: CacheLookups = { hits: 0, stale: 0, misses: 0 };
  if (options.name !== undefined) {
    counts = lookups.get(options.name) ?? counts;
    lookups.set(options.name, counts);
  }
  const ttlOf = typeof options.ttlMs === "function" ? options.ttlMs : () => options.ttlMs as number;
  const entries = new Map<string, { value: V; at: number; ttl: number }>();
  const pending = new Map<string, Promise<V>>();
  // Computations whose result must not be kept (forgotten while they ran).
  const dropped = new WeakSet<Promise<V>>();
  let generation = 0;

  const refresh = (key: string, compute: () => Promise<V>): Promise<V> => {
    const running = pending.get(key);
    if (running) return running;
    const started = generation;
    const flight = compute()
      .then((value) => {
        const ttl = ttlOf(value);
        if (started === generation && !dropped.has(flight) && ttl > 0) {
          if (entries.size >= maxEntries && !entries.has(key)) entries.clear();
          entries.set(key, { value, at: now(), ttl });
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
    async get(key, compute, getOptions = {}) {
      const hit = entries.get(key);
      if (hit) {
        const age = now() - hit.at;
        const freshFor = Math.min(hit.ttl, getOptions.maxAgeMs ?? Number.POSITIVE_INFINITY);
        if (age < freshFor) {
          counts.hits++;
          return hit.value;
        }
        if (getOptions.maxAgeMs === undefined && age < hit.ttl + staleMs) {
          // Background refresh; its failure is the next caller's to see, not this one's.
          refresh(key, compute).catch(() => undefined);
          counts.stale++;
          return hit.value;
        }
      }
      counts.misses++;
      return refresh(key, compute);
    },
    peek: (key) => {
      const hit = entries.get(key);
      return hit ? { value: hit.value, at: hit.at } : undefined;
    },
    clear() {
      generation++;
      entries.clear();
      pending.clear();
    },
    forget(match) {
      for (const key of [...entries.keys()]) if (match(key)) entries.delete(key);
      for (const [key, flight] of [...pending]) {
        if (!match(key)) continue;
        dropped.add(flight);
        pending.delete(key);
      }
    },
  };
}
