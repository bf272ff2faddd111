/**
 * The one memo of the app: single flight plus a time bound, for anything that is expensive to ask for
 * (exact counts and stats, the Databricks status snapshot, "does the synced table exist").
 * - At most one computation per key runs at a time (single flight), whatever callers and `clear()` do.
 *   Failures are not kept.
 * - A value is fresh for `ttlMs` (a function of the value when absent and present things deserve different
 *   lifetimes); 0 keeps nothing and only shares flights.
 * - Then, for `staleMs`, it is still served at once while one background refresh runs, so a busy caller never
 *   stalls on the recomputation when the entry expires. Older: callers wait for the recomputation.
 * - A caller may ask for a value no older than `maxAgeMs` (0: a new one, or the flight already under way).
 * - `clear()` forgets every value, and a computation that started before it is not kept: its value may
 *   predate the write that caused the clear. Callers after the clear wait for one new computation, which
 *   starts once the one under way has ended: clearing as often as anyone likes (a failed write, say) never
 *   runs two computations of one key side by side.
 * - Full (`maxEntries`), it forgets the least recently used value, not all of them.
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

/** A key's computations: the one running (and the generation it started in), and the one queued after it. */
interface Flights<V> {
  running: Promise<V>;
  generation: number;
  /** Callers since a clear(): one computation, started when `running` ends. */
  queued?: Promise<V>;
}

export function createCache<V>(options: CacheOptions<V>): Cache<V> {
  const { staleMs = 0, maxEntries = 1000, now = Date.now } = options;
  let counts: CacheLookups = { hits: 0, stale: 0, misses: 0 };
  if (options.name !== undefined) {
    counts = lookups.get(options.name) ?? counts;
    lookups.set(options.name, counts);
  }
  const ttlOf = typeof options.ttlMs === "function" ? options.ttlMs : () => options.ttlMs as number;
  // Map order is insertion order: a hit moves its entry to the end, so the first entry is the least recently
  // used one.
  const entries = new Map<string, { value: V; at: number; ttl: number }>();
  const flights = new Map<string, Flights<V>>();
  // Computations whose result must not be kept (forgotten while they ran).
  const dropped = new WeakSet<Promise<V>>();
  let generation = 0;

  const keep = (key: string, value: V) => {
    const ttl = ttlOf(value);
    if (ttl <= 0) return;
    entries.delete(key);
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, { value, at: now(), ttl });
  };

  /** Starts a computation of `key` now; nothing else of that key runs. */
  const start = (key: string, compute: () => Promise<V>): Promise<V> => {
    const started = generation;
    let computing: Promise<V>;
    try {
      computing = compute();
    } catch (error) {
      computing = Promise.reject(error);
    }
    const running = computing
      .then((value) => {
        if (started === generation && !dropped.has(running)) keep(key, value);
        return value;
      })
      .finally(() => {
        const f = flights.get(key);
        // A queued computation takes over once this one has ended: it registers itself when it starts.
        if (f?.running === running && !f.queued) flights.delete(key);
      });
    flights.set(key, { running, generation: started });
    return running;
  };

  const refresh = (key: string, compute: () => Promise<V>): Promise<V> => {
    const f = flights.get(key);
    if (!f) return start(key, compute);
    if (f.generation === generation && !f.queued) return f.running;
    if (f.queued) return f.queued;
    // The running computation predates a clear(): its value is not this caller's. One computation is queued
    // behind it for every caller until it starts.
    const queued = f.running.then(
      () => undefined,
      () => undefined,
    );
    const next = queued.then(() => {
      const current = flights.get(key);
      if (current?.queued === next) flights.delete(key);
      return start(key, compute);
    });
    f.queued = next;
    return next;
  };

  return {
    async get(key, compute, getOptions = {}) {
      const hit = entries.get(key);
      if (hit) {
        const age = now() - hit.at;
        const freshFor = Math.min(hit.ttl, getOptions.maxAgeMs ?? Number.POSITIVE_INFINITY);
        if (age < freshFor) {
          counts.hits++;
          entries.delete(key);
          entries.set(key, hit);
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
    },
    forget(match) {
      for (const key of [...entries.keys()]) if (match(key)) entries.delete(key);
      for (const [key, f] of flights) {
        if (!match(key)) continue;
        // Its value is not kept, and the next caller queues one new computation behind it (single flight).
        dropped.add(f.running);
        f.generation = -1;
      }
    },
  };
}
