import type { Logger } from "@lakebase-orders/log";
import { createCache } from "../lib/cache.ts";

export interface PollerOptions<T> {
  intervalMs: number;
  fetch: () => Promise<T>;
  /** Equal fingerprints are the same state: no event. */
  fingerprint: (value: T) => string;
  /** When true and nobody asked for more, the poller pauses. */
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
  /** Current event (fetching one first if there is none yet). */
  current(): Promise<PollerEvent<T>>;
  /** Calls `listener` on every change until the returned function is called. Starts the loop. */
  subscribe(listener: (event: PollerEvent<T>) => void): () => void;
  /** Polls now (something happened), and keeps polling while anyone listens or things move. */
  kick(): void;
  close(): void;
}

/**
 * One polling loop shared by every subscriber: N open progress streams cost one round of Databricks
 * calls per interval, not N. It runs while someone listens and the state is not settled.
 */
export function createPoller<T>(options: PollerOptions<T>): Poller<T> {
  const listeners = new Set<(event: PollerEvent<T>) => void>();
  let last: PollerEvent<T> | undefined;
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
      if (!last || print !== lastPrint || settled !== last.settled) {
        lastPrint = print;
        last = { seq: ++seq, value, settled };
        for (const l of listeners) l(last);
      }
      return last;
    });

  const schedule = () => {
    if (closed || timer || listeners.size === 0) return;
    timer = setTimeout(async () => {
      timer = undefined;
      kicked = false;
      try {
        await poll();
      } catch (error) {
        options.logger.warn("lakebase status poll failed", { error });
      }
      // Keep going while someone listens; a settled state is re-checked only after a kick.
      if (!last?.settled || kicked) schedule();
    }, options.intervalMs);
    timer.unref();
  };

  return {
    async current() {
      // Without listeners nothing kept `last` fresh: ask again.
      return last && !kicked && listeners.size > 0 ? last : poll();
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
