import { createCachingTokenProvider } from "@lakebase-orders/lakebase-auth";
import { createLogger } from "@lakebase-orders/log";
import { createTestDatabase, type TestDatabase, withClient } from "@lakebase-orders/pg-local";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDbPoolConfig } from "./db-config.ts";
import { createTokenPool, endPool } from "./pool.ts";

// A client checked out with `pool.connect()` (maintenance, export, transactions) has no error listener of
// pg-pool's while it is out. node-postgres emits "error" on a client whose connection ends, and an "error"
// nobody hears is thrown from the socket's callback: the whole process goes down. These lose the connection
// of a checked-out client the two ways production does and expect the process, and the pool, to carry on.
let database: TestDatabase;
let pool: pg.Pool;
const APP = "pool-test";
const logs: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase("token_pool_unit");
  pool = createTokenPool(
    { connectionString: database.url },
    parseDbPoolConfig({ max: 4, applicationName: APP }),
    {
      logger: createLogger({ write: (line) => logs.push(line) }),
    },
  );
}, 60_000);

afterAll(async () => {
  if (pool) await endPool(pool, 5000);
  await database?.drop();
});

const terminate = (pid: number) =>
  withClient(database.adminUrl, (c) => c.query("SELECT pg_terminate_backend($1)", [pid]));

const ended = (client: pg.PoolClient) => new Promise<void>((resolve) => client.once("end", () => resolve()));

async function pidOf(client: pg.PoolClient): Promise<number> {
  const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  const pid = rows[0]?.pid;
  if (pid === undefined) throw new Error("no pid");
  return pid;
}

describe("a checked-out client that loses its connection", () => {
  it("between queries (a restart ends the session): the process survives and the pool discards the client", async () => {
    const client = await pool.connect();
    const pid = await pidOf(client);
    const end = ended(client);
    await terminate(pid);
    await end;
    await expect(client.query("SELECT 1")).rejects.toThrow();
    client.release();
    // The dead client went, a new one serves.
    const { rows } = await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    expect(rows[0]?.pid).not.toBe(pid);
    // Said once, as a connection lost while checked out (not also as an idle client's error).
    const said = logs.map((l) => JSON.parse(l) as { msg: string; role?: string; code?: string });
    expect(said.filter((l) => l.msg === "db_client_connection_lost")).toEqual([
      expect.objectContaining({ role: "primary", code: "57P01" }),
    ]);
    expect(said.filter((l) => l.msg === "db_pool_client_error")).toEqual([]);
  });

  it("under a query, with no goodbye from the server (the network drops): the query fails, the process survives", async () => {
    const client = await pool.connect();
    await pidOf(client);
    const end = ended(client);
    const slow = client.query("SELECT pg_sleep(10)").then(
      () => undefined,
      (error: unknown) => error,
    );
    // What a dropped network or a front door that hangs up looks like from here: the socket just closes.
    (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const error = await slow;
    await end;
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/terminated/i);
    client.release(error as Error);
    const { rows } = await pool.query<{ one: number }>("SELECT 1 AS one");
    expect(rows[0]?.one).toBe(1);
  });
});

describe("a token the database refuses", () => {
  it("is discarded (28P01): the next connection logs in with a new one instead of the cached one", async () => {
    const role = `token_user_${Math.random().toString(36).slice(2, 8)}`;
    await withClient(database.adminUrl, (c) => c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'current-token'`));
    // The first token the credential API hands out was revoked before its hour was up.
    const issued = ["revoked-token", "current-token"];
    const provider = createCachingTokenProvider({
      source: { flavour: "provisioned", target: "refusal-test" },
      fetchCredential: async () => ({
        token: issued.shift() ?? "current-token",
        expiresAt: new Date(Date.now() + 3_600_000),
      }),
    });
    const url = new URL(database.url);
    const tokens = createTokenPool(
      {
        host: url.hostname,
        port: Number(url.port),
        database: database.name,
        user: role,
        sslmode: "disable",
        ssl: false,
        password: provider,
      },
      parseDbPoolConfig({ max: 2 }),
    );
    try {
      await expect(tokens.query("SELECT 1")).rejects.toMatchObject({ code: "28P01" });
      const { rows } = await tokens.query<{ who: string }>("SELECT current_user AS who");
      expect(rows[0]?.who).toBe(role);
      expect(provider.metrics().refreshes).toBe(2);
    } finally {
      await endPool(tokens, 5000);
      await withClient(database.adminUrl, (c) => c.query(`DROP ROLE ${role}`));
    }
  });
});
