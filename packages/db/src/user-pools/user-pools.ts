import { createHash } from "node:crypto";
import {
  type Credential,
  jwtExpiry,
  type PgConnection,
  type UserCredentialSource,
} from "@lakebase-orders/lakebase-auth";
import { type Logger, silentLogger } from "@lakebase-orders/log";
import type pg from "pg";
import { type DbPoolConfig, effectiveMaxLifetimeSeconds } from "../db-config.ts";
import { createTokenPool, endPool } from "../pool.ts";
import { Permits, PermitTimeoutError } from "./permits.ts";

/** Who a read runs as: the user's Postgres role (their e-mail) and their forwarded Databricks token. */
export interface UserLogin {
  role: string;
  token: string;
}

/** One connection's worth of a user's pool, held for one read (or one export's whole stream). */
export interface UserLease {
  readonly pool: pg.Pool;
  /** Gives the lease back; idempotent. */
  release(): void;
}

export interface UserPoolsStats {
  /** Users with a pool now. */
  users: number;
  /** Open sockets of every user pool (connections told to close and not closed yet included). */
  open: number;
  /** Connections allowed at once, all users together. */
  cap: number;
  /** Reads waiting for a connection at the cap. */
  waiting: number;
  /** Pools made, replaced by a new token, evicted at the cap, dropped when idle, since start. */
  created: number;
  replaced: number;
  evicted: number;
  dropped: number;
  /** Credential calls made with users' tokens. */
  credentialCalls: number;
}

export interface UserPools {
  /** A lease on the user's pool (made, or replaced when the token changed); waits at most `waitMillis`. */
  lease(login: UserLogin): Promise<UserLease>;
  stats(): UserPoolsStats;
  close(deadlineMs?: number): Promise<void>;
}

export interface UserPoolsOptions {
  /** Where users log in: the app's primary (host, port, database, TLS); user and password are the user's. */
  target: PgConnection;
  /** The user's Postgres password from their token (lakebase-auth `userCredentialSource`). */
  credential: UserCredentialSource;
  /** Connections per user. */
  perUser: number;
  /** Connections of all users together. */
  maxConnections: number;
  /** Idle connections close, and empty pools are dropped, after this long. */
  idleMillis: number;
  /** The longest a read waits for a connection at the cap (then `PermitTimeoutError`). */
  waitMillis: number;
  /** The app's pool settings (timeouts, keep-alive); the size and idle time are the ones above. */
  pool: DbPoolConfig;
  logger?: Logger;
}

export { PermitTimeoutError };

interface Entry {
  readonly role: string;
  readonly fingerprint: string;
  readonly pool: pg.Pool;
  /** Leases out now. */
  inflight: number;
  /** Permits this pool holds: always at least its open connections and its leases. */
  permits: number;
  /** Connections open now (connected, not yet removed). */
  open: number;
  lastUsed: number;
  /** When the user's token expires (a JWT's `exp`), if known. */
  readonly expiresAt: number | undefined;
  /** Leases waiting for one of the user's own connections. */
  readonly waiters: (() => void)[];
  retired: boolean;
}

// A credential is asked for again this long before it expires.
const CREDENTIAL_MARGIN_MS = 60_000;
// Credentials outlive their pool (an evicted user comes back without a new credential call), this many at most.
const MAX_KEPT_CREDENTIALS = 10_000;

interface KeptCredential {
  readonly credential: Promise<Credential>;
  expires: number;
}

/**
 * Per-user pools for reads as the signed-in user (issue 28), bounded three ways: a few connections per user,
 * a cap on the connections of all users together (one permit per open connection, so the sum never passes
 * it whoever asks; at the cap, idle pools of other users are evicted first, then a read waits at most
 * `waitMillis` and fails with `PermitTimeoutError`), and idle pools dropped. A pool belongs to one token: a
 * new token replaces it (the old one ends once its reads are done), so nothing outlives what the user may
 * do, and its connections never outlive the token. A failed login (28P01, a refused credential) fails that
 * user's read only. Tokens stay in memory, keyed by a hash; nothing here logs them.
 */
export function createUserPools(options: UserPoolsOptions): UserPools {
  const logger = options.logger ?? silentLogger;
  const permits = new Permits(options.maxConnections);
  const entries = new Map<string, Entry>();
  // Per user and token: what a new pool of the same token logs in with.
  const credentials = new Map<string, KeptCredential>();
  const counts = { created: 0, replaced: 0, evicted: 0, dropped: 0, credentialCalls: 0 };
  let open = 0;
  let closed = false;

  // A pool keeps a permit per connection it has (connecting, idle or busy; one it has told to close no longer
  // counts: the server is ending it) and per lease out.
  const reconcile = (entry: Entry) => {
    const keep = Math.max(entry.pool.totalCount, entry.inflight);
    if (entry.permits > keep) {
      permits.give(entry.permits - keep);
      entry.permits = keep;
    }
  };

  const retire = (entry: Entry, why: "replaced" | "evicted" | "dropped") => {
    if (entry.retired) return;
    entry.retired = true;
    counts[why]++;
    if (entries.get(entry.role) === entry) entries.delete(entry.role);
    // Waiters of a retired pool try again on the new one.
    for (const wake of entry.waiters.splice(0)) wake();
    // Ends idle connections now and the others as their reads finish; permits follow their removal.
    void endPool(entry.pool, 30_000).finally(() => reconcile(entry));
    // Its idle connections were told to close just now (pool.end is synchronous up to there).
    reconcile(entry);
  };

  const makeEntry = (login: UserLogin, fingerprint: string): Entry => {
    const expiresAt = jwtExpiry(login.token)?.getTime();
    const remainingSeconds = expiresAt ? Math.max(1, Math.floor((expiresAt - Date.now()) / 1000)) : undefined;
    const key = `${login.role}|${fingerprint}`;
    const password = async () => {
      let kept = credentials.get(key);
      if (!kept || Date.now() > kept.expires - CREDENTIAL_MARGIN_MS) {
        counts.credentialCalls++;
        // Connections opening meanwhile share this call (until it settles it never expires).
        const asked: KeptCredential = { credential: options.credential(login.token), expires: Infinity };
        kept = asked;
        credentials.delete(key);
        credentials.set(key, asked);
        while (credentials.size > MAX_KEPT_CREDENTIALS) {
          const oldest = credentials.keys().next().value;
          if (oldest === undefined) break;
          credentials.delete(oldest);
        }
        asked.credential.then(
          (c) => {
            asked.expires = c.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
          },
          () => {
            if (credentials.get(key) === asked) credentials.delete(key);
          },
        );
      }
      return (await kept.credential).token;
    };
    const config: DbPoolConfig = {
      ...options.pool,
      max: options.perUser,
      idleTimeoutMillis: options.idleMillis,
      applicationName: `${options.pool.applicationName}-user`,
      // A connection never outlives the user's token (nor the app's usual lifetime).
      maxLifetimeSeconds: Math.min(
        effectiveMaxLifetimeSeconds(options.pool, undefined),
        remainingSeconds ?? Number.POSITIVE_INFINITY,
      ),
    };
    const pool = createTokenPool(options.target, config, {
      role: "user",
      logger,
      login: { user: login.role, password },
    });
    const entry: Entry = {
      role: login.role,
      fingerprint,
      pool,
      inflight: 0,
      permits: 0,
      open: 0,
      lastUsed: Date.now(),
      expiresAt,
      waiters: [],
      retired: false,
    };
    pool.on("connect", () => {
      entry.open++;
      open++;
    });
    pool.on("remove", () => {
      entry.open--;
      open--;
      reconcile(entry);
    });
    counts.created++;
    return entry;
  };

  const entryFor = (login: UserLogin): Entry => {
    const fingerprint = createHash("sha256").update(login.token).digest("hex").slice(0, 16);
    const current = entries.get(login.role);
    if (current && current.fingerprint === fingerprint) return current;
    if (current) {
      retire(current, "replaced");
      credentials.delete(`${current.role}|${current.fingerprint}`);
    }
    const entry = makeEntry(login, fingerprint);
    entries.set(login.role, entry);
    return entry;
  };

  // At the cap: idle pools of other users give their connections back, least recently used first.
  const evictIdle = (except: Entry) => {
    const idle = [...entries.values()]
      .filter((e) => e !== except && e.inflight === 0 && e.open > 0)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    const first = idle[0];
    if (first) retire(first, "evicted");
  };

  const waitOwnTurn = (entry: Entry, waitMs: number) =>
    new Promise<void>((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const at = entry.waiters.indexOf(wake);
        if (at >= 0) entry.waiters.splice(at, 1);
        reject(
          new PermitTimeoutError(
            `${options.perUser} reads of this user are already running (waited ${waitMs} ms)`,
            Math.max(1, Math.ceil(waitMs / 1000)),
          ),
        );
      }, waitMs);
      timer.unref?.();
      entry.waiters.push(wake);
    });

  const lease = async (login: UserLogin): Promise<UserLease> => {
    if (closed) throw new Error("the user pools are closed");
    const deadline = Date.now() + options.waitMillis;
    let entry = entryFor(login);
    while (entry.inflight >= options.perUser) {
      await waitOwnTurn(entry, Math.max(0, deadline - Date.now()));
      if (entry.retired) entry = entryFor(login);
    }
    entry.inflight++;
    entry.lastUsed = Date.now();
    if (entry.permits < entry.inflight) {
      // A new connection may be opened for this read: it needs a permit first.
      try {
        if (!permits.tryTake()) {
          evictIdle(entry);
          await permits.take(Math.max(0, deadline - Date.now()));
        }
        entry.permits++;
      } catch (error) {
        entry.inflight--;
        entry.waiters.shift()?.();
        throw error;
      }
    }
    const held = entry;
    let released = false;
    return {
      pool: held.pool,
      release: () => {
        if (released) return;
        released = true;
        held.inflight--;
        held.lastUsed = Date.now();
        reconcile(held);
        const own = held.waiters.shift();
        if (own) own();
        else if (permits.waiting > 0 && held.inflight === 0 && held.pool.totalCount > 0) {
          // Others wait at the cap: this pool's idle connections go to them rather than idle out.
          retire(held, "evicted");
        }
      },
    };
  };

  // Drops pools that have been idle (no connection, no lease) for a while, and those whose token expired.
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const entry of [...entries.values()]) {
        if (entry.inflight > 0) continue;
        const expired = entry.expiresAt !== undefined && entry.expiresAt <= now;
        if (expired || (entry.open === 0 && now - entry.lastUsed >= options.idleMillis)) {
          retire(entry, "dropped");
        }
      }
    },
    Math.min(options.idleMillis, 10_000),
  );
  sweep.unref();

  return {
    lease,
    stats: () => ({
      users: entries.size,
      open,
      cap: options.maxConnections,
      waiting: permits.waiting,
      ...counts,
    }),
    close: async (deadlineMs = 5000) => {
      closed = true;
      clearInterval(sweep);
      const all = [...entries.values()];
      entries.clear();
      credentials.clear();
      await Promise.all(all.map((e) => endPool(e.pool, deadlineMs)));
      logger.info("user_pools_closed", { pools: all.length });
    },
  };
}
