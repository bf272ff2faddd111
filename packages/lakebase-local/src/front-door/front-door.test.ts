import { randomBytes } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Backend,
  BUSY_TOKEN,
  eventually,
  GOOD_TOKEN,
  startBackend,
} from "../../testing/front-door-backend.ts";
import { type FrontDoor, startFrontDoor } from "./index.ts";

let backend: Backend;
let door: FrontDoor;

beforeAll(async () => {
  backend = await startBackend("fdlogin");
  door = await startFrontDoor({ admit: backend.admit });
});

afterAll(async () => {
  await door?.close();
  await backend?.cleanup();
});

function config(password: string, extra: Partial<pg.ClientConfig> = {}): pg.ClientConfig {
  return {
    host: door.host,
    port: door.port,
    user: "someone@example.com",
    database: "databricks_postgres",
    password,
    connectionTimeoutMillis: 10_000,
    ...extra,
  };
}

async function withClient<T>(cfg: pg.ClientConfig, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(cfg);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function isTls(client: pg.Client): boolean {
  const stream = (client as unknown as { connection: { stream: unknown } }).connection.stream;
  return stream instanceof tls.TLSSocket && stream.encrypted;
}

describe("front door logins", () => {
  it("relays a plain login to the upstream role and database and runs real queries", async () => {
    await withClient(config(GOOD_TOKEN, { application_name: "fd-test" }), async (c) => {
      expect(isTls(c)).toBe(false);
      const who = await c.query(
        "select current_user as u, current_database() as d, current_setting('application_name') as a",
      );
      expect(who.rows[0]).toEqual({ u: backend.upstream.user, d: backend.upstream.database, a: "fd-test" });
      const big = await c.query("select g, repeat('x', 100) as pad from generate_series(1, 100000) g");
      expect(big.rowCount).toBe(100000);
      expect(big.rows[99999].g).toBe(100000);
    });
    expect(backend.logins.at(-1)).toEqual({
      user: "someone@example.com",
      database: "databricks_postgres",
      port: door.port,
    });
  });

  it("streams multi-statement queries and a 2 MB bytea both ways over TLS", async () => {
    const payload = randomBytes(2 * 1024 * 1024);
    await withClient(config(GOOD_TOKEN, { ssl: { rejectUnauthorized: false } }), async (c) => {
      expect(isTls(c)).toBe(true);
      const results = (await c.query(
        "create table blobs (id int primary key, data bytea); insert into blobs values (0, 'a'); select count(*)::int as n from blobs",
      )) as unknown as pg.QueryResult[];
      expect(results.at(-1)?.rows).toEqual([{ n: 1 }]);
      await c.query("insert into blobs values ($1, $2)", [1, payload]);
      const back = await c.query("select data, length(data) as n, md5(data) as h from blobs where id = 1");
      expect(back.rows[0].n).toBe(payload.length);
      expect(Buffer.compare(back.rows[0].data, payload)).toBe(0);
    });
  });

  it("accepts sslmode=require from a connection string (libpq semantics: encrypt, do not verify)", async () => {
    const url = `postgresql://someone%40example.com:${GOOD_TOKEN}@${door.host}:${door.port}/databricks_postgres?sslmode=require&uselibpqcompat=true`;
    await withClient({ connectionString: url }, async (c) => {
      expect(isTls(c)).toBe(true);
      expect((await c.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
    });
  });

  it("speaks direct TLS negotiation (sslnegotiation=direct)", async () => {
    await withClient(
      config(GOOD_TOKEN, { ssl: { rejectUnauthorized: false }, ...({ sslnegotiation: "direct" } as object) }),
      async (c) => {
        expect(isTls(c)).toBe(true);
        expect((await c.query("select 2 as two")).rows).toEqual([{ two: 2 }]);
      },
    );
  });

  it("refuses a wrong token with 28P01 and the admit message, and a custom code as given", async () => {
    const before = { ...door.counters.refused };
    const wrong = new pg.Client(config("nope"));
    const error = await wrong.connect().then(
      () => undefined,
      (e: unknown) => e as pg.DatabaseError,
    );
    expect(error?.code).toBe("28P01");
    expect(error?.severity).toBe("FATAL");
    expect(error?.message).toBe('password authentication failed for user "someone@example.com"');

    const busy = new pg.Client(config(BUSY_TOKEN, { ssl: { rejectUnauthorized: false } }));
    const busyError = await busy.connect().then(
      () => undefined,
      (e: unknown) => e as pg.DatabaseError,
    );
    expect(busyError?.code).toBe("57P03");
    expect(busyError?.message).toBe("the database system is starting up");
    expect(door.counters.refused.bad_token).toBe((before.bad_token ?? 0) + 1);
    expect(door.counters.refused.starting).toBe((before.starting ?? 0) + 1);
  });

  it("counts a client that rejects the certificate (a CA it does not trust) as a TLS refusal", async () => {
    const before = door.counters.refused.tls ?? 0;
    const verifying = new pg.Client(config(GOOD_TOKEN, { ssl: { rejectUnauthorized: true } }));
    await expect(verifying.connect()).rejects.toThrow(/self-signed|certificate/);
    await eventually(() => door.counters.refused.tls === before + 1, "a tls refusal");
  });

  it("passes the upstream's own FATAL through (no such database)", async () => {
    const other = await startFrontDoor({
      admit: async () => ({ ok: true, upstream: { ...backend.upstream, database: "does_not_exist_here" } }),
    });
    try {
      const error = await new pg.Client({ host: other.host, port: other.port, user: "u", password: "x" })
        .connect()
        .then(
          () => undefined,
          (e: unknown) => e as pg.DatabaseError,
        );
      expect(error?.code).toBe("3D000");
      expect(other.counters).toEqual({ accepted: 0, refused: { upstream_error: 1 }, active: 0 });
    } finally {
      await other.close();
    }
  });

  it("counts accepted and active sessions, and closeConnections() ends open clients with 57P01", async () => {
    const accepted = door.counters.accepted;
    const clients = [
      new pg.Client(config(GOOD_TOKEN)),
      new pg.Client(config(GOOD_TOKEN, { ssl: { rejectUnauthorized: false } })),
    ];
    const firstErrors: (string | undefined)[] = [];
    const ended: Promise<unknown>[] = [];
    for (const c of clients) {
      // pg then also reports "Connection terminated unexpectedly", as with a real server shutting down.
      c.on("error", () => undefined);
      c.once("error", (e) => firstErrors.push((e as pg.DatabaseError).code));
      ended.push(new Promise((resolve) => c.once("end", resolve)));
      await c.connect();
    }
    expect(door.counters.accepted).toBe(accepted + 2);
    expect(door.counters.active).toBe(2);
    door.closeConnections();
    await Promise.all(ended);
    // Idle sessions hear what a shutting-down server says.
    expect(firstErrors).toEqual(["57P01", "57P01"]);
    for (const c of clients) await expect(c.query("select 1")).rejects.toThrow();
    await eventually(() => door.counters.active === 0, "active back to 0");
    // The door itself still serves new logins.
    await withClient(config(GOOD_TOKEN), async (c) =>
      expect((await c.query("select 1 as x")).rows).toEqual([{ x: 1 }]),
    );
  });

  it("relays a CancelRequest to the upstream session", async () => {
    await withClient(config(GOOD_TOKEN), async (c) => {
      const running = c.query("select pg_sleep(30)");
      await new Promise((r) => setTimeout(r, 300));
      const { processID, secretKey } = c as unknown as { processID: number; secretKey: number };
      const cancel = Buffer.alloc(16);
      cancel.writeInt32BE(16, 0);
      cancel.writeInt32BE(80877102, 4);
      cancel.writeInt32BE(processID, 8);
      cancel.writeInt32BE(secretKey, 12);
      const socket = net.connect({ host: door.host, port: door.port });
      socket.on("error", () => undefined);
      socket.end(cancel);
      await expect(running).rejects.toMatchObject({ code: "57014" });
    });
  });

  it("serves 50 concurrent connections through one front door", async () => {
    const clients = Array.from(
      { length: 50 },
      (_, i) => new pg.Client(config(GOOD_TOKEN, i % 2 ? { ssl: { rejectUnauthorized: false } } : {})),
    );
    await Promise.all(clients.map((c) => c.connect()));
    try {
      expect(door.counters.active).toBe(50);
      const pids = await Promise.all(
        clients.map(
          async (c) =>
            (await c.query("select pg_backend_pid() as pid, pg_sleep(0.05)")).rows[0].pid as number,
        ),
      );
      expect(new Set(pids).size).toBe(50);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    await eventually(() => door.counters.active === 0, "all 50 closed");
  });
});
