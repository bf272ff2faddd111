import { randomBytes } from "node:crypto";
import { createTestDatabase, type TestDatabase, withClient } from "@lakebase-orders/pg-local";
import pg from "pg";
import type { Admission, FrontDoorOptions, Upstream } from "../src/front-door/types.ts";

export const GOOD_TOKEN = "token-ok";
export const BUSY_TOKEN = "token-busy";

export interface Backend {
  db: TestDatabase;
  upstream: Upstream;
  /** Accepts GOOD_TOKEN, answers BUSY_TOKEN with 57P03, refuses anything else with 28P01. */
  admit: FrontDoorOptions["admit"];
  /** Every login admit saw, without passwords. */
  logins: { user: string; database: string; port: number }[];
  cleanup(): Promise<void>;
}

/** A fresh database plus a login role with a password: the real PostgreSQL behind a front door. */
export async function startBackend(label: string): Promise<Backend> {
  const db = await createTestDatabase(label);
  const role = `fd_${label}_${randomBytes(4).toString("hex")}`;
  const rolePassword = randomBytes(12).toString("hex");
  await withClient(db.adminUrl, async (c) => {
    await c.query(
      `CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN PASSWORD ${pg.escapeLiteral(rolePassword)}`,
    );
  });
  await withClient(db.url, (c) => c.query(`GRANT ALL ON SCHEMA public TO ${pg.escapeIdentifier(role)}`));
  const url = new URL(db.url);
  const upstream: Upstream = {
    host: url.hostname,
    port: Number(url.port),
    database: db.name,
    user: role,
    password: rolePassword,
  };
  const logins: Backend["logins"] = [];
  const admit = async (login: { user: string; database: string; password: string; port: number }) => {
    logins.push({ user: login.user, database: login.database, port: login.port });
    if (login.password === GOOD_TOKEN) return { ok: true, upstream } satisfies Admission;
    if (login.password === BUSY_TOKEN) {
      return {
        ok: false,
        sqlState: "57P03",
        message: "the database system is starting up",
        reason: "starting",
      } satisfies Admission;
    }
    return {
      ok: false,
      sqlState: "28P01",
      message: `password authentication failed for user "${login.user}"`,
      reason: "bad_token",
    } satisfies Admission;
  };
  return {
    db,
    upstream,
    admit,
    logins,
    cleanup: async () => {
      await db.drop();
      await withClient(db.adminUrl, (c) => c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`));
    },
  };
}

/** Polls until `check` holds: counters move when sockets close, a moment after the client call returns. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
