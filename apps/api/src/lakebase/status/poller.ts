import type { Logger } from "@lakebase-orders/log";
import { createCache } from "../../cache/cache.ts";

export interface PollerOptions<T> {
  intervalMs: number;
  /** Interval while the state is settled and someone still watches (default 15 × intervalMs, at most 15 s). */
  settledIntervalMs?: number;
  fetch: () => Promise<T>;
  /** Equal fingerprints are the same state: no event. */
  fingerprint: (value: T) => string;
  /** When true (nothing running or moving), polling slows down to `settledIntervalMs`. */
  settled: (value: T) => boolean;
  logger: Logger;
}

export interface PollerEvent<T> {
  /** Increases with every change; the SSE event id, so a reconnect can tell what it has seen. */
  seq: number;
  value: T;
  settled: boolean;
}

export interface Poller<T> {
  /** The current event: the last one if it is recent (within the interval), else a new poll's. */
  current(): Promise<PollerEvent<T>>;
  /** Calls `listener` on every change until the returned function is called. Starts the loop. */
  subscribe(listener: (event: PollerEvent<T>) => void): () => void;
  /** Polls now (something happened), and keeps polling at the fast interval while it moves. */
  kick(): void;
  close(): void;
}

/**
 * One polling loop shared by every subscriber: N open progress streams cost one round of Databricks
 * calls per interval, not N. It runs while anyone listens: at `intervalMs` while things move, at
 * `settledIntervalMs` while they are settled, so a change made elsewhere (another process, the bundle, the
 * Databricks UI) reaches subscribers within one settled interval. Nobody listening: no calls at all.
 */
export function createPoller<T>(options: PollerOptions<T>): Poller<T> {
  const settledIntervalMs = options.settledIntervalMs ?? Math.min(15_000, options.intervalMs * 15);
  const listeners = new Set<(event: PollerEvent<T>) => void>();
  let last: PollerEvent<T> | undefined;
  let lastAt = 0;
  let lastPrint = "";
  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  // Single flight only: a kick and the timer firing together make one round of calls.
  const flights = createCache<PollerEvent<T>>({ ttlMs: 0 });
  let closed = false;
  let kicked = false;

  const poll = (): Promise<PollerEvent<T>> =>
    flights.get("poll", async () => {
      const value = await options.fetch();
      const print = options.fingerprint(value);
      const settled = options.settled(value);
      lastAt = Date.now();
      if (!last || print !== lastPrint || settled !== last.settled) {
        lastPrint = print;
        last = { seq: ++seq, value, settled };
        for (const l of listeners) l(last);
      }
      return last;
    });

  const schedule = () => {
    if (closed || timer || listeners.size === 0) return;
    const wait = last?.settled && !kicked ? settledIntervalMs : options.intervalMs;
    timer = setTimeout(async () => {
      timer = undefined;
      kicked = false;
      try {
        await poll();
      } catch (error) {
        options.logger.warn("lakebase status poll failed", { error });
      }
      schedule();
    }, wait);
    timer.unref();
  };

  return {
    async current() {
      const fresh = last && !kicked && Date.now() - lastAt < options.intervalMs;
      return fresh && last ? last : poll();
    },
    subscribe(listener) {
      listeners.add(listener);
      schedule();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearTimeout(timer);
          timer = undefined;
        }
      };
    },
    kick() {
      kicked = true;
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      if (listeners.size > 0) {
        // Poll right away rather than an interval later.
        void poll()
          .catch((error: unknown) => options.logger.warn("lakebase status poll failed", { error }))
          .finally(schedule);
      }
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      listeners.clear();
    },
  };
}
