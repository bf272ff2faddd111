import { type Logger, silentLogger } from "@lakebase-orders/log";
import { describeError, isRetryableCredentialError } from "./retryable.ts";
import {
  type Credential,
  describeSource,
  type TokenMetrics,
  type TokenProvider,
  type TokenSourceDescription,
} from "./token-provider.ts";

export interface CachingOptions {
  /** Refresh this long before expiry; capped at half the token lifetime so short test TTLs still cache. */
  refreshBeforeSeconds?: number;
  /** Treat a token as expired this early (clock skew between us and the issuer); capped at a quarter lifetime. */
  skewSeconds?: number;
  /** Lifetime assumed when the issuer does not say (or says something our clock cannot believe). */
  assumedLifetimeSeconds?: number;
  /** Credential calls per refresh, first try included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** After a failed refresh, callers holding a still-valid token wait this long before asking the API again. */
  failureCooldownMs?: number;
  logger?: Logger;
  /** Injectable for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface CachingTokenProviderOptions extends CachingOptions {
  source: TokenSourceDescription;
  fetchCredential: () => Promise<Credential>;
}

/** Thrown when no valid token can be had; names the target and the cause, never a token. */
export class TokenUnavailableError extends Error {
  readonly source: TokenSourceDescription;
  constructor(source: TokenSourceDescription, cause: string, options?: { cause?: unknown }) {
    super(`No valid Lakebase token for ${describeSource(source)}: ${cause}`, options);
    this.name = "TokenUnavailableError";
    this.source = source;
  }
}

interface Cached {
  readonly token: string;
  readonly expiry: number;
  readonly refreshAt: number;
  readonly validUntil: number;
  readonly lifetimeMs: number;
}

const DEFAULTS = {
  refreshBeforeSeconds: 300,
  skewSeconds: 30,
  assumedLifetimeSeconds: 600,
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 4000,
  failureCooldownMs: 1000,
};

/**
 * The one caching layer every flavour shares: it wraps a "fetch credential" function with a cache, a single
 * refresh in flight, jittered retries, last-known-good serving and an optional background refresh.
 */
export function createCachingTokenProvider(options: CachingTokenProviderOptions): TokenProvider {
  const o = { ...DEFAULTS, ...definedOnly(options) };
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  const source = options.source;

  let cached: Cached | undefined;
  let inflight: Promise<Cached> | undefined;
  let nextAttemptAt = 0;
  // The last refresh's failure, answered at once to callers without a usable token until the cooldown ends:
  // one refresh at a time, not one (with its retries) per new connection.
  let lastFailure: TokenUnavailableError | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  // Every token we ever held, so an error message that echoes one can be scrubbed.
  const seen = new Set<string>();
  const m = {
    refreshes: 0,
    failures: 0,
    credentialCalls: 0,
    servedLastKnownGood: 0,
    lastRefreshMs: undefined as number | undefined,
    lastRefreshAt: undefined as Date | undefined,
  };

  const redact = (text: string) => {
    let out = text;
    for (const t of seen) if (t.length > 0) out = out.split(t).join("[redacted]");
    return out;
  };

  const toCached = (credential: Credential, at: number): Cached => {
    let expiry = credential.expiresAt?.getTime();
    if (expiry !== undefined && !(expiry > at)) {
      // A fresh token cannot be expired: our clock is ahead of the issuer's. Fall back to the assumed lifetime.
      logger.warn("lakebase_token_expiry_in_past", { ...source, expiresAt: credential.expiresAt });
      expiry = undefined;
    }
    const lifetimeMs = expiry !== undefined ? expiry - at : o.assumedLifetimeSeconds * 1000;
    const end = at + lifetimeMs;
    const validUntil = end - Math.min(o.skewSeconds * 1000, lifetimeMs / 4);
    const refreshAt = Math.min(end - Math.min(o.refreshBeforeSeconds * 1000, lifetimeMs / 2), validUntil);
    return { token: credential.token, expiry: end, refreshAt, validUntil, lifetimeMs };
  };

  const fetchWithRetries = async (): Promise<Cached> => {
    const started = now();
    for (let attempt = 1; ; attempt++) {
      m.credentialCalls++;
      try {
        const credential = await options.fetchCredential();
        if (typeof credential.token !== "string" || credential.token.length === 0) {
          throw new Error("credential API returned no token");
        }
        seen.add(credential.token);
        const fresh = toCached(credential, now());
        cached = fresh;
        lastFailure = undefined;
        m.refreshes++;
        m.lastRefreshMs = now() - started;
        m.lastRefreshAt = new Date(now());
        logger.info("lakebase_token_refreshed", {
          ...source,
          attempts: attempt,
          ms: m.lastRefreshMs,
          expiresAt: new Date(fresh.expiry).toISOString(),
          lifetimeSeconds: Math.round(fresh.lifetimeMs / 1000),
        });
        return fresh;
      } catch (error) {
        m.failures++;
        const retryable = isRetryableCredentialError(error);
        const cause = redact(describeError(error));
        if (!retryable || attempt >= o.maxAttempts) {
          nextAttemptAt = now() + o.failureCooldownMs;
          const stillValid = cached !== undefined && now() < cached.validUntil;
          logger.error("lakebase_token_refresh_failed", {
            ...source,
            attempts: attempt,
            retryable,
            cause,
            servingLastKnownGoodUntil:
              stillValid && cached ? new Date(cached.validUntil).toISOString() : null,
          });
          lastFailure = new TokenUnavailableError(
            source,
            `${cause} (after ${attempt} attempt${attempt > 1 ? "s" : ""})`,
            {
              cause: error,
            },
          );
          throw lastFailure;
        }
        // Full jitter: callers that failed together do not come back together.
        const delayMs = Math.round(random() * Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1)));
        logger.warn("lakebase_token_refresh_retry", { ...source, attempt, delayMs, cause });
        await sleep(delayMs);
      }
    }
  };

  const refresh = (): Promise<Cached> => {
    inflight ??= fetchWithRetries().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  const schedule = (delayMs?: number) => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!running) return;
    const wait = delayMs ?? (cached ? Math.max(0, cached.refreshAt - now()) : 0);
    timer = setTimeout(onTimer, wait);
    // The refresh timer must never keep a process alive on its own.
    timer.unref();
  };

  const onTimer = () => {
    timer = undefined;
    if (cached && now() < cached.refreshAt) return schedule();
    refresh().then(
      () => schedule(),
      () => schedule(o.failureCooldownMs),
    );
  };

  return {
    async getToken() {
      const at = now();
      const current = cached;
      if (current && at < current.refreshAt) return current.token;
      if (current && at < current.validUntil) {
        // Inside the refresh window: hand out the still-valid token and refresh behind the caller's back.
        if (!inflight && at >= nextAttemptAt) refresh().catch(() => undefined);
        m.servedLastKnownGood++;
        return current.token;
      }
      // No usable token: one refresh for every caller (a pool opening many connections at once, just past
      // `validUntil`), and right after one failed, its answer until the cooldown ends.
      if (!inflight && lastFailure && at < nextAttemptAt) throw lastFailure;
      try {
        return (await refresh()).token;
      } catch (error) {
        if (error instanceof TokenUnavailableError) throw error;
        throw new TokenUnavailableError(source, redact(describeError(error)), { cause: error });
      }
    },
    discard(token) {
      if (cached?.token !== token) return;
      logger.warn("lakebase_token_discarded", { ...source, reason: "the database refused it (28P01)" });
      cached = undefined;
      nextAttemptAt = 0;
      lastFailure = undefined;
    },
    expiresAt: () => (cached ? new Date(cached.expiry) : undefined),
    metrics: (): TokenMetrics => ({
      ...m,
      lifetimeSeconds: cached ? cached.lifetimeMs / 1000 : undefined,
    }),
    start() {
      if (running) return;
      running = true;
      if (cached) schedule();
      else onTimer();
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    describe: () => source,
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
