import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createCachingTokenProvider, type PgConnection } from "@lakebase-orders/lakebase-auth";
import { createLogger } from "@lakebase-orders/log";
import { createTestDatabase, freePort, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "./create-db.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
let database: TestDatabase;
let base: Omit<PgConnection, "password">;
let password: string;
const logLines: string[] = [];
const logger = createLogger({ write: (l) => logLines.push(l) });

beforeAll(async () => {
  database = await createTestDatabase("create_db");
  const url = new URL(database.url);
  password = decodeURIComponent(url.password);
  base = {
    host: url.hostname,
    port: Number(url.port),
    database: database.name,
    user: decodeURIComponent(url.username),
    sslmode: "disable",
    ssl: false,
  };
  // The app's own tables, so model queries (not only raw SQL) go through the pools.
  const migrations = path.join(here, "../prisma/migrations");
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  for (const dir of fs
    .readdirSync(migrations)
    .filter((d) => /^\d/.test(d))
    .sort()) {
    await client.query(fs.readFileSync(path.join(migrations, dir, "migration.sql"), "utf8"));
  }
  await client.end();
});
afterAll(() => database.drop());

/** A token provider over the real cluster password, counting how often the pool asked for it. */
function countingProvider(ttlMs: number) {
  const counter = { calls: 0 };
  const provider = createCachingTokenProvider({
    source: { flavour: "provisioned", target: "local-test" },
    refreshBeforeSeconds: 0,
    fetchCredential: async () => {
      counter.calls++;
      return { token: password, expiresAt: new Date(Date.now() + ttlMs) };
    },
  });
  return { counter, provider };
}

describe("createDb", () => {
  it("shares one copy of pg with Prisma's adapter, so its instanceof pg.Pool check holds", () => {
    // Databricks' own driver (a test-only dependency, for AppKit and the driver test) pins another pg; what
    // matters is that the pool this package builds and the adapter Prisma runs on resolve the same one.
    const fromHere = createRequire(import.meta.url);
    const adapter = fs.realpathSync(path.join(here, "../node_modules/@prisma/adapter-pg"));
    const fromAdapter = createRequire(path.join(adapter, "package.json"));
    const ours = fs.realpathSync(fromHere.resolve("pg"));
    expect(fs.realpathSync(fromAdapter.resolve("pg"))).toBe(ours);
    const store = path.join(here, "../../../node_modules/.pnpm");
    const copies = fs.readdirSync(store).filter((name) => /^pg@\d/.test(name));
    // The only other copy is the one @databricks/lakebase pins.
    expect(copies.length).toBeLessThanOrEqual(2);
  });

  it("keeps the static connectionString form working", async () => {
    const db = createDb({ connectionString: database.url, max: 2 });
    await db.ping();
    expect(db.read).toBe(db.prisma);
    expect(db.readPool).toBeUndefined();
    await db.disconnect();
  });

  it("runs Prisma on our token-injected pool (the password function is what logs in)", async () => {
    const { counter, provider } = countingProvider(3600_000);
    const db = createDb({ connection: { ...base, password: provider }, max: 3, logger });
    expect(db.pool.totalCount).toBe(0);
    const rows = await db.prisma.$queryRaw<{ one: number }[]>`select 1::int as one`;
    expect(rows[0]?.one).toBe(1);
    expect(await db.prisma.orderStatus.count()).toBe(0);
    expect(db.pool.totalCount).toBeGreaterThan(0);
    expect(counter.calls).toBe(1);
    expect(db.provider).toBe(provider);
    await db.disconnect();
    expect(db.pool.ended).toBe(true);
  });

  it("recycles connections before the token lifetime (maxLifetime = half a 2 s TTL)", async () => {
    const { provider } = countingProvider(2_000);
    await provider.getToken(); // the pool learns the lifetime from the provider
    const db = createDb({ connection: { ...base, password: provider }, max: 1, logger });
    const pid = async () =>
      (await db.pool.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0]?.pid;
    const first = await pid();
    expect(await pid()).toBe(first);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await pid()).not.toBe(first);
    expect(provider.metrics().credentialCalls).toBeGreaterThan(1);
    await db.disconnect();
  });

  it("serves db.read from the replica pool when it is up", async () => {
    const { provider } = countingProvider(3600_000);
    const db = createDb({
      connection: { ...base, password: provider, read: { ...base, password: provider } },
      max: 2,
      logger,
    });
    expect(db.read).not.toBe(db.prisma);
    expect(await db.read.orderStatus.count()).toBe(0);
    expect(db.readPool?.totalCount).toBeGreaterThan(0);
    expect(db.pool.totalCount).toBe(0);
    await db.disconnect();
  });

  it("falls back to the primary for reads when the replica is down, and keeps query errors as they are", async () => {
    const deadPort = await freePort();
    const { provider } = countingProvider(3600_000);
    const db = createDb({
      connection: { ...base, password: provider, read: { ...base, port: deadPort, password: provider } },
      max: 2,
      connectionTimeoutMillis: 2_000,
      logger,
    });
    expect(await db.read.orderStatus.count()).toBe(0);
    const rows = await db.read.$queryRaw<{ one: number }[]>`select ${1}::int as one`;
    expect(rows[0]?.one).toBe(1);
    expect(db.pool.totalCount).toBeGreaterThan(0);
    expect(db.readPool?.totalCount).toBe(0);
    expect(logLines.some((l) => l.includes("db_read_replica_unreachable"))).toBe(true);
    await expect(db.read.$queryRawUnsafe("select * from no_such_table")).rejects.toThrow(/no_such_table/);
    await db.disconnect();
  });

  it("logs a server-dropped idle client instead of crashing", async () => {
    const db = createDb({ connection: { ...base, password }, max: 1, logger });
    const pid = (await db.pool.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0]?.pid;
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query("select pg_terminate_backend($1)", [pid]);
    await admin.end();
    for (let i = 0; i < 100 && !logLines.some((l) => l.includes("db_pool_client_error")); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(logLines.some((l) => l.includes("db_pool_client_error") && l.includes("57P01"))).toBe(true);
    await db.ping(); // the pool replaced the dead client
    await db.disconnect();
  });

  it("disconnect returns within its deadline even with a client that is never released", async () => {
    const db = createDb({ connection: { ...base, password }, max: 2, logger });
    const leaked = await db.pool.connect(); // checked out and not released until after the deadline
    leaked.on("error", () => undefined);
    const started = Date.now();
    await db.disconnect(300);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(logLines.some((l) => l.includes("db_disconnect_deadline"))).toBe(true);
    leaked.release();
  });

  it("never logs the password", () => {
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(line).not.toContain(`"${password}"`);
  });
});
