import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../create-db.ts";
import { parseDbPoolConfig } from "../db-config.ts";
import { createUserPools, PermitTimeoutError, type UserPools } from "./user-pools.ts";

// Real PostgreSQL, real logins: each user is a LOGIN role whose password is their "token" (the credential
// source hands the token back, as with LAKEBASE_TOKEN_SOURCE=workspace).
let database: TestDatabase;
let admin: Db;
const tag = Math.random().toString(36).slice(2, 7);
const USERS = Array.from({ length: 8 }, (_, i) => `pool_user_${tag}_${i}`);
const tokenOf = (role: string) => `secret-${role}`;

beforeAll(async () => {
  database = await createTestDatabase("user_pools");
  admin = createDb({ connectionString: database.url, max: 2 });
  for (const role of USERS) {
    await admin.pool.query(
      `CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN PASSWORD ${pg.escapeLiteral(tokenOf(role))}`,
    );
  }
}, 60_000);

afterAll(async () => {
  await admin?.pool.query(`DROP ROLE IF EXISTS ${USERS.map((r) => pg.escapeIdentifier(r)).join(", ")}`);
  await admin?.disconnect();
  await database?.drop();
});

function poolsFor(options: { perUser: number; maxConnections: number; waitMillis: number }): UserPools {
  const target = admin.target();
  if (!target) throw new Error("no target");
  return createUserPools({
    target,
    credential: async (token) => ({ token, expiresAt: undefined }),
    idleMillis: 30_000,
    pool: parseDbPoolConfig({ applicationName: `up-${tag}` }),
    ...options,
  });
}

/** Backends of this file's users now, as the server counts them. */
async function backends(): Promise<number> {
  const { rows } = await admin.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = ANY($1)",
    [USERS],
  );
  return rows[0]?.n ?? 0;
}

describe("per-user pools", () => {
  it("never hold more connections than the cap, whatever the users ask for", async () => {
    const pools = poolsFor({ perUser: 2, maxConnections: 4, waitMillis: 10_000 });
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, await backends());
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    try {
      const reads = USERS.flatMap((role) =>
        [0, 1, 2].map(async () => {
          const lease = await pools.lease({ role, token: tokenOf(role) });
          try {
            const { rows } = await lease.pool.query<{ u: string }>(
              "SELECT current_user AS u, pg_sleep(0.05)",
            );
            return rows[0]?.u;
          } finally {
            lease.release();
          }
        }),
      );
      const who = await Promise.all(reads);
      // Every read ran, each as its own user.
      expect(who).toEqual(USERS.flatMap((role) => [role, role, role]));
      expect(pools.stats().open).toBeLessThanOrEqual(4);
    } finally {
      sampling = false;
      await sampler;
      await pools.close();
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(4);
  });

  it("makes a user over the cap wait, then fail with a retry time; an idle pool is evicted for them", async () => {
    const pools = poolsFor({ perUser: 1, maxConnections: 1, waitMillis: 150 });
    const [a, b] = USERS as [string, string];
    try {
      const held = await pools.lease({ role: a, token: tokenOf(a) });
      await held.pool.query("SELECT 1");
      const started = Date.now();
      const refused = await pools.lease({ role: b, token: tokenOf(b) }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(PermitTimeoutError);
      expect((refused as PermitTimeoutError).retryAfterSeconds).toBe(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      held.release();
      const next = await pools.lease({ role: b, token: tokenOf(b) });
      const { rows } = await next.pool.query<{ u: string }>("SELECT current_user AS u");
      next.release();
      expect(rows[0]?.u).toBe(b);
      expect(pools.stats()).toMatchObject({ evicted: 1, users: 1 });
    } finally {
      await pools.close();
    }
  });

  it("replaces a user's pool when the token changes, and asks for a credential once per pool", async () => {
    let calls = 0;
    const target = admin.target();
    if (!target) throw new Error("no target");
    const pools = createUserPools({
      target,
      credential: async () => {
        calls++;
        return { token: tokenOf(USERS[2] ?? ""), expiresAt: undefined };
      },
      perUser: 3,
      maxConnections: 10,
      idleMillis: 30_000,
      waitMillis: 1000,
      pool: parseDbPoolConfig({}),
    });
    const role = USERS[2] ?? "";
    try {
      const run = async (token: string) => {
        const lease = await pools.lease({ role, token });
        try {
          await lease.pool.query("SELECT pg_sleep(0.02)");
        } finally {
          lease.release();
        }
      };
      await Promise.all([run("first"), run("first"), run("first")]);
      expect([calls, pools.stats().replaced]).toEqual([1, 0]);
      await run("second");
      expect([calls, pools.stats().replaced, pools.stats().users]).toEqual([2, 1, 1]);
    } finally {
      await pools.close();
    }
  });
});
