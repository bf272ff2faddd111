// `rideThroughWakes` with real node-postgres against the local Lakebase's endpoint, through a proxy that
// answers connection attempts the way a compute going down or coming up does (57P03, a dropped socket), as
// Neon-style computes do and the local Lakebase's front door (which holds logins while it wakes) does not.
import net from "node:net";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isWaking, rideThroughWakes } from "./wake.ts";

let local: LakebaseLocal;
let proxy: { port: number; refuse(n: number, how: "57P03" | "drop"): void; close(): Promise<void> };

/** Forwards to `port`, except the next `n` connections, which get a 57P03 ErrorResponse or are dropped. */
async function faultProxy(port: number): Promise<typeof proxy> {
  let refusals = 0;
  let how: "57P03" | "drop" = "57P03";
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    sockets.add(inbound);
    inbound.on("close", () => sockets.delete(inbound));
    inbound.on("error", () => undefined);
    if (refusals > 0) {
      refusals--;
      if (how === "drop") {
        inbound.destroy();
        return;
      }
      // The startup message arrives first (no TLS here): answer it as a starting server does.
      inbound.once("data", () => {
        const fields = Buffer.concat([
          Buffer.from("SFATAL\0C57P03\0Mthe database system is starting up\0\0", "utf8"),
        ]);
        const header = Buffer.alloc(5);
        header.write("E", 0, "ascii");
        header.writeInt32BE(fields.length + 4, 1);
        inbound.end(Buffer.concat([header, fields]));
      });
      return;
    }
    const outbound = net.connect(port, "127.0.0.1");
    sockets.add(outbound);
    outbound.on("close", () => sockets.delete(outbound));
    outbound.on("error", () => inbound.destroy());
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    refuse(n, kind) {
      refusals = n;
      how = kind;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  local = await startLakebaseLocal({
    flavor: "autoscaling",
    sourceRows: 20,
    timings: { instanceStartMs: 0, instanceDeleteMs: 0, pipelineStepMs: 0 },
    seed: {
      instanceName: "wake-it",
      catalogName: "wake_it",
      databaseName: "orders",
      syncedTable: "public.orders_synced",
    },
  });
  proxy = await faultProxy(local.endpointPort ?? 0);
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await local?.stop();
});

function pool(password = local.workspaceToken) {
  const p = new pg.Pool({
    host: "127.0.0.1",
    port: proxy.port,
    user: local.identity,
    password,
    database: "orders",
    ssl: false,
    max: 2,
    connectionTimeoutMillis: 5000,
  });
  p.on("error", () => undefined);
  return p;
}

describe("rideThroughWakes", () => {
  it("without it, a connection that meets a waking compute fails the query", async () => {
    const p = pool();
    try {
      proxy.refuse(1, "57P03");
      const error = await p.query("select 1").catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe("57P03");
      expect(isWaking(error)).toBe(true);
    } finally {
      await p.end();
    }
  });

  it("tries again through 57P03 and dropped sockets, for pool.query and pool.connect alike", async () => {
    const p = pool();
    rideThroughWakes(p, { baseDelayMs: 20 });
    try {
      proxy.refuse(3, "57P03");
      expect(
        (await p.query<{ n: number }>("select count(*)::int as n from public.orders_synced")).rows[0]?.n,
      ).toBe(20);
      proxy.refuse(2, "drop");
      const client = await p.connect();
      try {
        // A named prepared statement on the new session: node-postgres prepares it there.
        const r = await client.query({ name: "by-key", text: "select $1::int as k", values: [7] });
        expect(r.rows[0]?.k).toBe(7);
      } finally {
        client.release();
      }
    } finally {
      await p.end();
    }
  });

  it("does not retry what is not a wake (a refused login), and gives up when the budget is spent", async () => {
    const wrong = pool("not-a-token");
    rideThroughWakes(wrong, { baseDelayMs: 20 });
    const started = Date.now();
    const refused = await wrong.query("select 1").catch((e: unknown) => e);
    expect((refused as { code?: string }).code).toBe("28P01");
    expect(Date.now() - started).toBeLessThan(2000);
    await wrong.end();

    const p = pool();
    rideThroughWakes(p, { baseDelayMs: 20, budgetMs: 300 });
    proxy.refuse(1000, "57P03");
    const began = Date.now();
    const error = await p.query("select 1").catch((e: unknown) => e);
    proxy.refuse(0, "57P03");
    expect((error as { code?: string }).code).toBe("57P03");
    expect(Date.now() - began).toBeLessThan(1500);
    await p.end();
  });
});
