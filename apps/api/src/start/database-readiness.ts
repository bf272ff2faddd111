import { type Logger, scrubSecrets } from "@lakebase-orders/log";
import type { SiblingReadiness } from "../cluster/readiness.ts";
import { backoffMs } from "./backoff.ts";

export interface ReadinessState {
  /** The database answered and the app's migrations are applied (in this process). */
  ready: boolean;
  /** Why not, in words a caller can act on; null when ready. */
  reason: string | null;
  /** The underlying error for operators (secrets scrubbed); null when ready. */
  detail: string | null;
  /** Failed attempts since the last success. */
  attempts: number;
  /** When the current state began (ISO time). */
  since: string;
}

/**
 * The server listens before the database is known to answer: this brings the database up to date in the
 * background, with retries and capped, jittered backoff, for as long as it takes (an instance stopped to
 * save cost, an instance not created yet, a network outage). Until then `/api/ready` is 503 with the reason
 * and orders calls answer SERVICE_UNAVAILABLE with it; the admin console works meanwhile, since it needs
 * only Databricks.
 */
export interface DatabaseReadiness {
  /**
   * Whether this server can serve orders: this process's database is ready and so is every sibling worker's
   * (a cluster's primary hands connections to each worker in turn, so one worker that cannot serve fails a
   * share of the requests). What `/api/ready` answers.
   */
  state(): ReadinessState;
  /** This process's own database readiness (what its own requests depend on). */
  local(): ReadinessState;
  /** Starts the background attempts (once). */
  start(): void;
  /** Runs the migrations now (e.g. a new database is ONLINE), waiting for the outcome; failures throw. */
  migrateNow(): Promise<void>;
  /** Tries again now instead of after the current pause (the instance was just started). */
  kick(): void;
  /** Resolves once ready. */
  whenReady(): Promise<void>;
  /** Resolves once the first attempt since start has an outcome (at once when there is none under way). */
  firstOutcome(): Promise<void>;
  close(): void;
}

export interface DatabaseReadinessOptions {
  /** Applies the migrations; throws while the database cannot be reached. */
  migrate: () => Promise<void>;
  logger: Logger;
  /** First pause after a failure (default 250 ms), doubling up to `maxDelayMs` (default 5 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called each time the database becomes ready (e.g. resume operations a stopped process left). */
  onReady?: () => void;
  /** The error in words a caller can act on (default: its message). */
  describe?: (error: unknown) => string;
  /** The caller has migrated the database already (tests, tools): ready from the start. */
  initiallyReady?: boolean;
  /** The other workers of this server (cluster mode): told this one's readiness, asked for theirs. */
  siblings?: SiblingReadiness;
}

export function createDatabaseReadiness(options: DatabaseReadinessOptions): DatabaseReadiness {
  const log = options.logger;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 5000;
  const describe =
    options.describe ?? ((error: unknown) => (error instanceof Error ? error.message : String(error)));
  let state: ReadinessState = options.initiallyReady
    ? { ready: true, reason: null, detail: null, attempts: 0, since: new Date().toISOString() }
    : {
        ready: false,
        reason: "the database has not been reached yet",
        detail: null,
        attempts: 0,
        since: new Date().toISOString(),
      };
  let started = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let readyWaiters: (() => void)[] = [];
  let lastLoggedReason: string | null = null;
  // Failures since the last kick: a kick (the instance just became available) starts the backoff over.
  let sinceKick = 0;

  const attempt = (): Promise<void> => {
    running ??= (async () => {
      const began = performance.now();
      try {
        await options.migrate();
        const { ready: wasReady, attempts } = state;
        state = { ready: true, reason: null, detail: null, attempts: 0, since: new Date().toISOString() };
        if (!wasReady) {
          options.siblings?.report(true);
          log.info("database ready", {
            failedAttempts: attempts,
            tookMs: Math.round(performance.now() - began),
          });
          for (const w of readyWaiters) w();
          readyWaiters = [];
          options.onReady?.();
        }
      } catch (error) {
        const detail = scrubSecrets(error instanceof Error ? error.message : String(error));
        if (state.ready) options.siblings?.report(false);
        state = {
          ready: false,
          reason: describe(error),
          detail,
          attempts: state.attempts + 1,
          since: state.ready ? new Date().toISOString() : state.since,
        };
        sinceKick++;
        // One line per new reason, then one in twenty: a database stopped for a day must not flood the log.
        if (detail !== lastLoggedReason || state.attempts % 20 === 0) {
          log.warn("database not ready; retrying in the background", {
            reason: state.reason,
            detail,
            attempts: state.attempts,
          });
          lastLoggedReason = detail;
        }
        throw error;
      } finally {
        running = null;
      }
    })();
    return running;
  };

  const loop = () => {
    if (closed || state.ready || timer) return;
    void attempt().then(
      () => undefined,
      () => {
        if (closed || timer) return;
        timer = setTimeout(
          () => {
            timer = undefined;
            loop();
          },
          backoffMs(sinceKick, baseDelayMs, maxDelayMs),
        );
        timer.unref();
      },
    );
  };

  options.siblings?.report(state.ready);
  const serving = (): ReadinessState => {
    const siblings = options.siblings;
    if (!state.ready || !siblings) return state;
    const waiting = siblings.waiting();
    if (waiting !== null && waiting.length === 0) return state;
    return {
      ready: false,
      reason:
        waiting === null
          ? "the other workers of this server have not said whether they are ready yet"
          : `worker${waiting.length > 1 ? "s" : ""} ${waiting.join(", ")} of this server ha${waiting.length > 1 ? "ve" : "s"} not reached the database yet`,
      detail: null,
      attempts: 0,
      since: state.since,
    };
  };

  return {
    state: serving,
    local: () => state,
    start() {
      if (started) return;
      started = true;
      loop();
    },
    async migrateNow() {
      await running?.catch(() => undefined);
      try {
        await attempt();
      } catch (error) {
        // The background attempts take over (when this process runs them).
        if (started) loop();
        throw error;
      }
    },
    kick() {
      if (closed || state.ready) return;
      sinceKick = 0;
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (started) loop();
    },
    whenReady: () =>
      state.ready ? Promise.resolve() : new Promise<void>((resolve) => readyWaiters.push(resolve)),
    firstOutcome: () =>
      running && !state.ready && state.attempts === 0
        ? running.then(
            () => undefined,
            () => undefined,
          )
        : Promise.resolve(),
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
