import fs from "node:fs/promises";
import type { WorkspaceClient } from "@databricks/sdk-experimental";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAST, rejectionOf, sdkFor } from "../../testing/index.ts";
import { type LakebaseLocal, startLakebaseLocal } from "../lakebase-local.ts";

// TLS as on Lakebase: the front doors present a certificate from the LakebaseLocal's own CA, so clients can
// use sslmode=verify-full; with requireTls, plain logins are refused.
const seed = {
  instanceName: "tls-main",
  catalogName: "tls_catalog",
  databaseName: "orders",
  syncedTable: "tls_catalog.public.orders_synced",
};

let db: TestDatabase;
let open: LakebaseLocal;
let strict: LakebaseLocal;

beforeAll(async () => {
  db = await createTestDatabase("lbl_tls");
  const common = { postgres: { adminUrl: db.adminUrl }, timings: FAST, sourceRows: 20, seed };
  [open, strict] = await Promise.all([
    startLakebaseLocal(common),
    startLakebaseLocal({ ...common, requireTls: true }),
  ]);
});

afterAll(async () => {
  await Promise.all([open?.stop(), strict?.stop()]);
  await db?.drop();
});

async function credential(local: LakebaseLocal): Promise<string> {
  const w: WorkspaceClient = sdkFor(local);
  const c = await w.database.generateDatabaseCredential({ instance_names: [seed.instanceName] });
  return c.token ?? "";
}

/** Connects, counts the synced rows, and reports whether the client verified the server's certificate. */
async function rowsVia(config: pg.ClientConfig): Promise<{ n: number; tls: boolean }> {
  const client = new pg.Client({ connectionTimeoutMillis: 5000, ...config });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const r = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM public.orders_synced");
    const stream = (client as unknown as { connection: { stream: { authorized?: boolean } } }).connection
      .stream;
    return { n: r.rows[0]?.n ?? -1, tls: stream.authorized === true };
  } finally {
    await client.end();
  }
}

function base(local: LakebaseLocal, password: string): pg.ClientConfig {
  return {
    host: local.pgHost,
    port: local.pgPort,
    user: local.identity,
    database: local.databaseName,
    password,
  };
}

describe("TLS like Databricks", () => {
  it("hands out its CA as a file and as PEM, the same certificate", async () => {
    expect(await fs.readFile(open.caFile, "utf8")).toBe(open.caPem);
    expect(open.caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(open.caPem).not.toBe(strict.caPem);
    expect([open.requireTls, strict.requireTls]).toEqual([false, true]);
  });

  it("verifies with sslmode=verify-full and the CA file (connection string), and with the PEM", async () => {
    const password = await credential(open);
    const url = new URL(`postgresql://${open.pgHost}:${open.pgPort}/${open.databaseName}`);
    url.username = open.identity;
    url.password = password;
    url.searchParams.set("sslmode", "verify-full");
    url.searchParams.set("sslrootcert", open.caFile);
    expect(await rowsVia({ connectionString: url.toString() })).toEqual({ n: 20, tls: true });
    expect(await rowsVia({ ...base(open, password), ssl: { ca: open.caPem } })).toEqual({ n: 20, tls: true });
    // By name too: the certificate names localhost beside the address the instance reports.
    expect(await rowsVia({ ...base(open, password), host: "localhost", ssl: { ca: open.caPem } })).toEqual({
      n: 20,
      tls: true,
    });
  });

  it("fails verify-full without the CA, or with another LakebaseLocal's CA", async () => {
    const password = await credential(open);
    const before = open.counters().frontDoors[seed.instanceName]?.refused.tls ?? 0;
    const noCa = await rejectionOf(rowsVia({ ...base(open, password), ssl: { rejectUnauthorized: true } }));
    expect(noCa.code).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    const wrongCa = await rejectionOf(rowsVia({ ...base(open, password), ssl: { ca: strict.caPem } }));
    expect(wrongCa.message).toMatch(/certificate/);
    await expect.poll(() => open.counters().frontDoors[seed.instanceName]?.refused.tls ?? 0).toBe(before + 2);
  });

  it("accepts plain logins by default, and refuses them with 28000 when requireTls is on", async () => {
    expect(await rowsVia({ ...base(open, await credential(open)), ssl: false })).toEqual({
      n: 20,
      tls: false,
    });

    const password = await credential(strict);
    const plain = await rejectionOf(rowsVia({ ...base(strict, password), ssl: false }));
    expect(plain.code).toBe("28000");
    expect(plain.message).toBe("connection is insecure (try using `sslmode=require`)");
    expect(strict.counters().frontDoors[seed.instanceName]?.refused.tls_required).toBe(1);
    expect(await rowsVia({ ...base(strict, password), ssl: { ca: strict.caPem } })).toEqual({
      n: 20,
      tls: true,
    });
  });

  it("removes a temporary CA file on stop", async () => {
    const other = await startLakebaseLocal({ postgres: { adminUrl: db.adminUrl }, timings: FAST });
    await fs.access(other.caFile);
    await other.stop();
    await expect(fs.access(other.caFile)).rejects.toThrow();
  });
});
