import net from "node:net";
import { createTestDatabase, type TestDatabase, withClient } from "@lakebase-orders/pg-local";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDbPoolConfig } from "./db-config.ts";
import { createTokenPool, endPool } from "./pool.ts";
import { openSession } from "./session.ts";

// The worst moment for a connection to be terminated (a restart, a failover, a dropped branch): as it logs in.
// A backend terminated just after its login answers ReadyForQuery and then FATAL 57P01; when both reach the
// client in one read (a busy event loop), node-postgres resolves the connect and emits "error" in the same
// tick, before any caller can listen. An "error" nobody hears is thrown from the socket's callback and ends
// the process (issue 25: seen in ten-run loops over TLS and plain TCP). A proxy in front of the real server
// makes that moment certain: for the logins it traps, it holds the server's bytes from ReadyForQuery on,
// terminates the backend, and hands the client ReadyForQuery and the FATAL in one write.

let database: TestDatabase;
let proxy: net.Server;
let proxyUrl: string;
const TRAPPED = "trapped-login";

beforeAll(async () => {
  database = await createTestDatabase("session_unit");
  const target = new URL(database.url);
  proxy = net.createServer((client) => {
    const server = net.connect(Number(target.port), target.hostname);
    client.on("error", () => server.destroy());
    server.on("error", () => client.destroy());
    client.on("close", () => server.destroy());
    server.on("close", () => client.destroy());
    let trapped: boolean | undefined;
    client.on("data", (chunk: Buffer) => {
      // The first message is the startup message: its parameters name the application.
      trapped ??= chunk.includes(Buffer.from(`application_name\0${TRAPPED}\0`));
      server.write(chunk);
    });
    let pending = Buffer.alloc(0);
    let pid = 0;
    let held: Buffer[] | undefined;
    server.on("data", (chunk: Buffer) => {
      if (!trapped) return void client.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5 && pending.length >= 1 + pending.readInt32BE(1)) {
        const size = 1 + pending.readInt32BE(1);
        const message = pending.subarray(0, size);
        pending = pending.subarray(size);
        const type = String.fromCharCode(message[0]!);
        if (type === "K") pid = message.readInt32BE(5);
        if (held) {
          held.push(message);
          if (type === "E") {
            client.write(Buffer.concat(held));
            held = undefined;
            trapped = false;
          }
        } else if (type === "Z") {
          held = [message];
          void withClient(database.adminUrl, (c) => c.query("SELECT pg_terminate_backend($1)", [pid]));
        } else {
          client.write(message);
        }
      }
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const url = new URL(database.url);
  url.hostname = "127.0.0.1";
  url.port = String((proxy.address() as net.AddressInfo).port);
  proxyUrl = url.toString();
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await database?.drop();
});

/** Runs `work` and answers the errors that reached no listener meanwhile (each would end an app process). */
async function unheardDuring(work: () => Promise<void>): Promise<unknown[]> {
  const unheard: unknown[] = [];
  const hear = (error: unknown) => unheard.push(error);
  process.prependListener("uncaughtException", hear);
  try {
    await work();
    // The socket's close follows the FATAL: let it land.
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    process.removeListener("uncaughtException", hear);
  }
  return unheard;
}

describe("a connection terminated as it logs in", () => {
  it("leaves the process running, whether it is a session of its own or a pooled one", async () => {
    const pool = createTokenPool(
      { connectionString: proxyUrl },
      parseDbPoolConfig({ max: 2, applicationName: "app" }),
    );
    try {
      let session: pg.Client | undefined;
      const unheard = await unheardDuring(async () => {
        session = await openSession(pool, TRAPPED);
      });
      expect(unheard).toEqual([]);
      // It opened, and is dead: its first query says so (the change feed then drops it and opens another).
      await expect(session!.query("SELECT 1")).rejects.toThrow();
      await session!.end().catch(() => undefined);

      const trappedPool = createTokenPool(
        { connectionString: proxyUrl },
        parseDbPoolConfig({ max: 2, applicationName: TRAPPED }),
      );
      try {
        let client: pg.PoolClient | undefined;
        const unheardPooled = await unheardDuring(async () => {
          client = await trappedPool.connect();
        });
        expect(unheardPooled).toEqual([]);
        await expect(client!.query("SELECT 1")).rejects.toThrow();
        client!.release(true);
      } finally {
        await endPool(trappedPool, 5000);
      }
    } finally {
      await endPool(pool, 5000);
    }
  });
});
