/**
 * The app's one activity signal: when a user request last came in. A Lakebase Autoscaling endpoint suspends
 * after a while without queries or connections (scale to zero), and wakes at the next one: an app that
 * queries in the background keeps it awake, and its owner pays for compute around the clock (issue 24). So
 * background work that would reach the database (the rollup keeper's checks and index maintenance, the audit
 * writer's retries, the operation recovery loop, the change feed's reconnects) asks `isAppIdle()` first and
 * waits while nobody uses the app; a user request (never a health probe) brings it back.
 *
 * One per process, like the process's requests: a background loop anywhere can ask without being handed it.
 *
 * @example
 * // in a background loop, before it queries:
 * if (isAppIdle()) return scheduleNext();
 */
export interface Activity {
  /** A user request came in: background work may run (for `idleAfterMs` from now). */
  touch(): void;
  /** When the last user request came in (epoch ms; the process's start before any). */
  lastRequestAt(): number;
  /** True when no user request came in for `idleAfterMs`. */
  isIdle(): boolean;
  /** Called on every user request (cheap work only: e.g. reopen a session that ended while idle). */
  onRequest(listener: () => void): () => void;
}

/**
 * Background work stops this long after the last user request. Shorter than the shortest suspend timeout
 * an endpoint can have (60 s), so an idle app lets it suspend at its own timeout after this.
 */
export const DEFAULT_IDLE_AFTER_MS = 30_000;

let idleAfterMs = DEFAULT_IDLE_AFTER_MS;
let last = Date.now();
const listeners = new Set<() => void>();

const activity: Activity = {
  touch() {
    last = Date.now();
    for (const listener of listeners) listener();
  },
  lastRequestAt: () => last,
  isIdle: () => Date.now() - last >= idleAfterMs,
  onRequest(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/** This process's activity signal. */
export function appActivity(): Activity {
  return activity;
}

/** The hook for background loops: true while nobody has used the app for a while (see `Activity`). */
export function isAppIdle(): boolean {
  return activity.isIdle();
}

/** How long after the last request background work stops (tests use short ones; default 30 s). */
export function setIdleAfterMs(ms: number): void {
  idleAfterMs = ms;
}
