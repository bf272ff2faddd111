import { createDb, type Db, migratePool } from "@lakebase-orders/db";
import { createLogger } from "@lakebase-orders/log";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import { loadOrders } from "@lakebase-orders/tpch";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOrdersStore } from "../store.ts";
import { syncedTable } from "../tables.ts";
import type { OrdersStore } from "../types.ts";
import { indexName, ORDER_INDEXES } from "./indexes.ts";

// Index builds that finish (issue 25): an index counts as built only once the catalog says it is valid; a busy
// maintenance lock is tried again; a process that stops mid-build leaves nothing running and its successor
// finishes the job; an invalid leftover is dropped and rebuilt whenever it appears. Each case holds the build
// at a known point with a second session (a lock or an old snapshot), as a refresh, an export or another
// process would in production.

const ROWS = 20_000;
const table = syncedTable({
  fullName: "orders_catalog.public.orders_synced",
  catalog: "orders_catalog",
  schema: "public",
  table: "orders_synced",
});
const WANTED = ORDER_INDEXES.map((i) => indexName(table, i.suffix)).sort();
let database: TestDatabase;
let db: Db;
const stores: OrdersStore[] = [];
const dbs: Db[] = [];

beforeAll(async () => {
  database = await createTestDatabase("api_index_builds");
  const loader = new pg.Client({ connectionString: database.url });
  await loader.connect();
  try {
    await loadOrders(loader, { rows: ROWS, seed: 5 });
    await loader.query("VACUUM (ANALYZE) public.orders_synced");
  } finally {
    await loader.end();
  }
  db = createDb({ connectionString: database.url, max: 4 });
  await migratePool(db.pool);
}, 120_000);

afterEach(async () => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dbs.splice(0)) await d.disconnect();
  // Each case starts from the table as Databricks creates it: primary key only.
  for (const r of await indexes())
    await db.pool.query(`DROP INDEX IF EXISTS public.${pg.escapeIdentifier(r.name)}`);
});

afterAll(async () => {
  await db?.disconnect();
  await database?.drop();
});

/** An app process's orders store over its own pool, checking the table every second. */
function startStore(): OrdersStore {
  const own = createDb({ connectionString: database.url, max: 4 });
  dbs.push(own);
  const store = createOrdersStore({
    db: own,
    table,
    logger: createLogger({ write: () => undefined }),
    countCacheTtlSeconds: 10,
    rollupCheckSeconds: 1,
    rollupMinRebuildSeconds: 0,
  });
  stores.push(store);
  return store;
}

async function indexes(): Promise<{ name: string; valid: boolean }[]> {
  const { rows } = await db.pool.query<{ name: string; valid: boolean }>(
    `SELECT i.relname AS name, x.indisvalid AS valid FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = 'public.orders_synced'::regclass AND NOT x.indisprimary ORDER BY 1`,
  );
  return rows;
}
const valid = async () => (await indexes()).filter((i) => i.valid).map((i) => i.name);

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** CREATE INDEX statements waiting on a lock (a table lock or an old snapshot's virtual xid). */
const waitingBuilds = async () =>
  (
    await db.pool.query<{ pid: number; query: string }>(
      `SELECT pid, query FROM pg_stat_activity
        WHERE query LIKE 'CREATE INDEX%' AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
    )
  ).rows;
const waitingBuild = () => until(async () => (await waitingBuilds())[0], "a CREATE INDEX waiting on a lock");

const runningBuilds = async () =>
  (
    await db.pool.query(
      `SELECT pid FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX%' AND state = 'active' AND pid <> pg_backend_pid()`,
    )
  ).rowCount;

/** A session holding a snapshot older than any build's: a CONCURRENTLY build waits for it at its end. */
async function oldSnapshot(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: database.url });
  await c.connect();
  await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
  await c.query("SELECT count(*) FROM public.orders_synced WHERE o_orderkey < 10");
  return c;
}

async function release(c: pg.Client): Promise<void> {
  await c.query("ROLLBACK").catch(() => undefined);
  await c.end();
}

describe("index builds that finish", () => {
  it("records an index as built only when valid: a build that fails is built again at a later check", async () => {
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    // Every CONCURRENTLY build waits for this lock; the first one is then cancelled, as a failover, an
    // operator or a statement timeout would end it.
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE public.orders_synced IN SHARE UPDATE EXCLUSIVE MODE");
    try {
      startStore();
      const first = await waitingBuild();
      await db.pool.query("SELECT pg_cancel_backend($1)", [first.pid]);
      await until(
        async () => !(await waitingBuilds()).some((b) => b.pid === first.pid && b.query === first.query),
        "the cancel to end that build",
      );
    } finally {
      await release(blocker);
    }
    expect(
      await until(async () => (await valid()).length === WANTED.length && valid(), "five valid indexes"),
    ).toEqual(WANTED);
  }, 60_000);

  it("tries a busy maintenance lock again instead of giving up", async () => {
    // Another process holds the indexes' lock while this one starts (building, or about to).
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    await other.query("SELECT pg_advisory_lock(881501, hashtext($1) # 2)", [table.fullName]);
    try {
      const store = startStore();
      await store.ready();
      await new Promise((r) => setTimeout(r, 2500));
      expect(await valid()).toEqual([]);
    } finally {
      // It stops without building (a crash, a shutdown): the lock is free again.
      await other.end();
    }
    expect(
      await until(async () => (await valid()).length === WANTED.length && valid(), "five valid indexes"),
    ).toEqual(WANTED);
  }, 60_000);

  it("stops a build at shutdown, leaving nothing running, and the next process finishes the job", async () => {
    const snapshot = await oldSnapshot();
    let leftover: { name: string; valid: boolean }[];
    try {
      const a = startStore();
      // The first build has built its index and waits for the old snapshot to end before it may mark it valid.
      await waitingBuild();
      a.close();
      // Within a few seconds nothing of it runs on the server (before: the build went on for as long as the
      // old snapshot lived, holding the table and the lock, for a process that was gone).
      await until(async () => (await runningBuilds()) === 0, "the stopped process's build to end", 5_000);
      leftover = await indexes();
    } finally {
      await release(snapshot);
    }
    expect(leftover.filter((i) => !i.valid)).toHaveLength(1);
    startStore();
    expect(
      await until(async () => (await valid()).length === WANTED.length && indexes(), "five valid indexes"),
    ).toEqual(WANTED.map((name) => ({ name, valid: true })));
  }, 60_000);

  it("drops and rebuilds an invalid leftover that appears later, without a change of the table", async () => {
    startStore();
    await until(async () => (await valid()).length === WANTED.length, "five valid indexes");
    // An interrupted rebuild of one of ours: dropped, then built CONCURRENTLY and cancelled at its end,
    // while the running process could not interfere (its lock held here).
    const name = WANTED[0]!;
    const wanted = ORDER_INDEXES.find((i) => indexName(table, i.suffix) === name)!;
    const lock = new pg.Client({ connectionString: database.url });
    await lock.connect();
    await lock.query("SELECT pg_advisory_lock(881501, hashtext($1) # 2)", [table.fullName]);
    try {
      await db.pool.query(`DROP INDEX public.${pg.escapeIdentifier(name)}`);
      const snapshot = await oldSnapshot();
      const builder = new pg.Client({ connectionString: database.url });
      await builder.connect();
      try {
        const build = builder
          .query(
            `CREATE INDEX CONCURRENTLY ${pg.escapeIdentifier(name)} ON public.orders_synced (${wanted.columns.join(", ")}) INCLUDE (${wanted.include.join(", ")})`,
          )
          .catch((error: unknown) => error);
        await db.pool.query("SELECT pg_cancel_backend($1)", [(await waitingBuild()).pid]);
        expect(await build).toBeInstanceOf(Error);
      } finally {
        await builder.end();
        await release(snapshot);
      }
      expect((await indexes()).find((i) => i.name === name)).toEqual({ name, valid: false });
    } finally {
      await lock.end();
    }
    expect(
      await until(
        async () =>
          (await indexes()).every((i) => i.valid) && (await valid()).length === WANTED.length && valid(),
        "the leftover dropped and rebuilt",
      ),
    ).toEqual(WANTED);
  }, 60_000);
});
