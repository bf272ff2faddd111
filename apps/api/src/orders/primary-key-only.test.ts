import { migrate } from "@lakebase-orders/api/testing";
import { loadConfig } from "@lakebase-orders/config";
import { createDb, type Db } from "@lakebase-orders/db";
import { createLogger } from "@lakebase-orders/log";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import { loadOrders } from "@lakebase-orders/tpch";
import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../http/app.ts";
import type { AppRouter } from "../routers/app-router.ts";
import { type AppServices, buildServices } from "../start/services.ts";
import { ORDER_INDEXES } from "./indexes/indexes.ts";
import type { SortKeysMode } from "./indexes/sort-keys.ts";
import type { OrderFilters, OrderSort } from "./schemas.ts";

// The synced table as Databricks creates it: primary key only. The app makes its sorts fast either way it
// can: its own indexes on the synced table (where it may build them), or its own indexed projection of the
// sort columns (where it may not; forced here on a table it could index). Either way it keeps the rollup in
// step, and every sort and filter, at any depth, answers exactly what SQL over the overlaid rows says,
// without scanning the table.

const ROWS = 30_000;
const MODES: SortKeysMode[] = ["table", "projection"];
let mode: SortKeysMode = "table";
let database: TestDatabase;
let db: Db;
let services: AppServices;
let client: TRPCClient<AppRouter>;

function appOver(d: Db, env: Record<string, string> = {}) {
  const s = buildServices(
    loadConfig({
      ORDERS_ROLLUP_CHECK_SECONDS: "1",
      ORDERS_ROLLUP_MIN_REBUILD_SECONDS: "0",
      ORDERS_SORT_KEYS: mode,
      ...env,
    }),
    d,
    {
      logger: createLogger({ write: () => undefined }),
    },
  );
  const app = createApp(s);
  const c = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: "http://api.test/api/trpc",
        fetch: async (input, init) =>
          app.request(
            typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
            init as RequestInit,
          ),
      }),
    ],
  });
  return { services: s, client: c };
}

async function until(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const validIndexes = async () => {
  const { rows } = await db.pool.query<{ name: string }>(
    `SELECT i.relname AS name FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = 'public.orders_synced'::regclass AND x.indisvalid AND NOT x.indisprimary`,
  );
  return rows.map((r) => r.name).sort();
};
const rollupBuilt = async () =>
  (await db.pool.query("SELECT 1 FROM app_data.order_rollup_state")).rowCount === 1;
/** The sorts' keys are in place and in step with the table: the table's own indexes, or the projection. */
const sortKeysReady = async () =>
  mode === "table"
    ? (await validIndexes()).length === ORDER_INDEXES.length
    : services.orders.sortKeys().source === "projection" && services.orders.sortKeys().current;
const projectionIndexes = async () => {
  const { rows } = await db.pool.query<{ name: string }>(
    `SELECT i.relname AS name FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = 'app_data.order_keys'::regclass AND x.indisvalid AND NOT x.indisprimary`,
  );
  return rows.map((r) => r.name).sort();
};

for (const m of MODES) {
  describe(`sort keys: ${m}`, () => {
    beforeAll(() => {
      mode = m;
    });
    beforeAll(async () => {
      database = await createTestDatabase("api_pk_only");
      db = createDb({ connectionString: database.url, max: 6 });
      // A connection of its own, closed after the load: a session reports its write counts (what the rollup's
      // change check reads) when it ends, not necessarily at once; the app should start on settled figures.
      const loader = new pg.Client({ connectionString: database.url });
      await loader.connect();
      try {
        await loadOrders(loader, { rows: ROWS, seed: 11 });
        await loader.query("VACUUM (ANALYZE) public.orders_synced");
      } finally {
        await loader.end();
      }
      await migrate(db);
      // App-side changes in every status, spread over the table.
      await db.pool.query(
        `INSERT INTO app_data.order_status (order_key, status, updated_by)
       SELECT o_orderkey, (ARRAY['F','O','P'])[1 + (o_orderkey / 32) % 3], 'test'
         FROM public.orders_synced WHERE o_orderkey % 97 = 1`,
      );
      ({ services, client } = appOver(db));
      await until(async () => (await sortKeysReady()) && (await rollupBuilt()), "sort keys and rollup");
    }, 180_000);

    afterAll(async () => {
      services?.orders.close();
      await db?.disconnect();
      await database?.drop();
    });

    const SORT_SQL: Record<OrderSort, string> = {
      orderKey: "o.o_orderkey",
      "-orderKey": "o.o_orderkey DESC",
      orderDate: "o.o_orderdate, o.o_orderkey",
      "-orderDate": "o.o_orderdate DESC, o.o_orderkey DESC",
      totalPrice: "o.o_totalprice, o.o_orderkey",
      "-totalPrice": "o.o_totalprice DESC, o.o_orderkey DESC",
    };
    const SORTS = Object.keys(SORT_SQL) as OrderSort[];

    async function truth(f: OrderFilters, sort: OrderSort = "orderKey"): Promise<number[]> {
      const { rows } = await db.pool.query<{ k: string }>(
        `SELECT o.o_orderkey AS k
         FROM public.orders_synced o LEFT JOIN app_data.order_status s ON s.order_key = o.o_orderkey
        WHERE ($1::text IS NULL OR COALESCE(s.status, o.o_orderstatus) = $1)
          AND ($2::text IS NULL OR o.o_orderpriority = $2)
          AND ($3::date IS NULL OR o.o_orderdate >= $3)
          AND ($4::date IS NULL OR o.o_orderdate <= $4)
        ORDER BY ${SORT_SQL[sort]}`,
        [f.status ?? null, f.priority ?? null, f.dateFrom ?? null, f.dateTo ?? null],
      );
      return rows.map((r) => Number(r.k));
    }

    // Correlated on purpose: pending orders sit in mid-1995, open ones after it, finished ones before.
    const FILTERS: OrderFilters[] = [
      {},
      { status: "P" },
      { status: "O", dateTo: "1993-06-30" },
      { status: "F", priority: "1-URGENT", dateFrom: "1995-06-01", dateTo: "1995-06-30" },
      { priority: "5-LOW", dateFrom: "1994-01-01", dateTo: "1996-12-31" },
      { status: "P", priority: "2-HIGH" },
      { dateFrom: "1998-01-01" },
      { status: "F", dateFrom: "1997-01-01" },
    ];

    describe(`a primary-key-only synced table, sort keys: ${m}`, () => {
      it("gets the sorts' indexes: on the synced table, or on the projection (the synced table left alone)", async () => {
        if (mode === "table") {
          expect(await validIndexes()).toEqual(ORDER_INDEXES.map((i) => `orders_synced_${i.suffix}`).sort());
        } else {
          expect(await validIndexes()).toEqual([]);
          expect(await projectionIndexes()).toEqual(
            ORDER_INDEXES.map((i) => `order_keys_${i.suffix}`).sort(),
          );
        }
      });

      it("answers every page of every sort and filter like SQL, at every depth", async () => {
        for (const filters of FILTERS) {
          for (const sort of SORTS) {
            const expected = await truth(filters, sort);
            // Pages 1..3, the middle, and the last two (deep pages seek through the rollup).
            const pageSize = 100;
            const last = Math.max(1, Math.ceil(expected.length / pageSize));
            const pages = [...new Set([1, 2, 3, Math.ceil(last / 2), last - 1, last, last + 1])].filter(
              (p) => p >= 1,
            );
            for (const page of pages) {
              const r = await client.orders.list.query({
                ...filters,
                sort,
                page,
                pageSize,
                includeCount: page === 1,
              });
              const want = expected.slice((page - 1) * pageSize, page * pageSize);
              expect(
                r.orders.map((o) => o.orderKey),
                `${JSON.stringify(filters)} ${sort} page ${page}`,
              ).toEqual(want);
              expect(r.pagination.hasNext).toBe(page * pageSize < expected.length);
              if (page === 1) expect(r.pagination.totalCount).toBe(expected.length);
            }
          }
        }
      }, 120_000);

      it("streams every filter forward and backward like SQL", async () => {
        for (const filters of FILTERS) {
          const expected = await truth(filters);
          for (const direction of ["forward", "backward"] as const) {
            const keys: number[] = [];
            let cursor: number | null = null;
            for (;;) {
              const r = await client.orders.stream.query({ ...filters, cursor, direction, pageSize: 700 });
              const pageKeys = r.orders.map((o) => o.orderKey);
              if (direction === "forward") keys.push(...pageKeys);
              else keys.unshift(...pageKeys);
              if (!r.pagination.hasNext) break;
              cursor = r.pagination.nextCursor;
            }
            expect(keys, `${JSON.stringify(filters)} ${direction}`).toEqual(expected);
          }
        }
      }, 120_000);

      it("counts and stats every filter combination exactly, from the rollup with the overrides applied", async () => {
        for (const filters of FILTERS) {
          const expected = await truth(filters);
          const count = await client.orders.count.query(filters);
          expect(count).toMatchObject({ totalOrders: expected.length, stale: false });
          const stats = await client.orders.stats.query(filters);
          expect(stats.totalOrders).toBe(expected.length);
          expect(stats.stale).toBe(false);
          for (const s of ["F", "O", "P"]) {
            const n = (await truth({ ...filters, status: s as OrderFilters["status"] })).length;
            const want = filters.status && filters.status !== s ? 0 : n;
            expect(stats.byStatus.find((b) => b.status === s)?.count ?? 0).toBe(want);
          }
        }
      });

      it("never scans the table to list, stream or count", async () => {
        // Every read the app sends is explained first on the same session. Sequential scans are priced out there,
        // so a plan that still has one means no index can answer it (on a table this small the planner may
        // rightly prefer a scan; at scale the bench shows the plans it takes).
        const probe = createDb({
          connectionString: `${database.url}?options=${encodeURIComponent("-c enable_seqscan=off")}`,
          max: 4,
        });
        const scans: string[] = [];
        let explained = 0;
        const query = probe.pool.query.bind(probe.pool) as unknown as (
          c: pg.QueryConfig | string,
          v?: unknown[],
        ) => Promise<pg.QueryResult>;
        Object.assign(probe.pool, {
          query: async (config: pg.QueryConfig | string, values?: unknown[]) => {
            // The app's reads pass a config object; its rollup and migrations pass text.
            if (typeof config !== "object") return query(config, values);
            explained++;
            const plan = await query({ text: `EXPLAIN ${config.text}`, values: config.values ?? [] });
            const text = plan.rows.map((r: Record<string, string>) => r["QUERY PLAN"]).join("\n");
            if (/Seq Scan on (orders_synced|order_keys)/.test(text)) scans.push(`${config.text}\n${text}`);
            return query(config);
          },
        });
        const app = appOver(probe);
        try {
          await app.services.orders.ready();
          for (const filters of FILTERS) {
            for (const sort of SORTS) {
              await app.client.orders.list.query({ ...filters, sort, pageSize: 100, includeCount: true });
              await app.client.orders.list.query({
                ...filters,
                sort,
                page: 120,
                pageSize: 100,
                includeCount: false,
              });
            }
            await app.client.orders.stream.query({ ...filters, pageSize: 100 });
            await app.client.orders.stats.query(filters);
            await app.client.orders.count.query(filters);
          }
          await app.client.orders.byKey.query({ orderKey: 1 });
        } finally {
          app.services.orders.close();
          await probe.disconnect();
        }
        expect(explained).toBeGreaterThan(100);
        expect(scans).toEqual([]);
      }, 120_000);

      it("shows a status change at once in counts and pages", async () => {
        const [key] = await truth({ status: "O", priority: "3-MEDIUM" });
        const before = (await client.orders.count.query({ status: "P", priority: "3-MEDIUM" })).totalOrders;
        await client.orders.updateStatus.mutate({ orderKey: key!, status: "P" });
        expect((await client.orders.count.query({ status: "P", priority: "3-MEDIUM" })).totalOrders).toBe(
          before + 1,
        );
        const expected = await truth({ status: "P", priority: "3-MEDIUM" }, "-totalPrice");
        const page = await client.orders.list.query({
          status: "P",
          priority: "3-MEDIUM",
          sort: "-totalPrice",
          pageSize: 1000,
        });
        expect(page.orders.map((o) => o.orderKey)).toEqual(expected.slice(0, 1000));
      });

      it("says the figures are stale while the synced table has changed and the rollup is not rebuilt yet", async () => {
        const lock = new pg.Client({ connectionString: database.url });
        await lock.connect();
        try {
          // Another process holds the rebuild (its advisory lock): this one must keep the old figures, flagged.
          await lock.query(
            "SELECT pg_advisory_lock(881501, hashtext('orders_catalog.public.orders_synced') # 1)",
          );
          const before = await client.orders.stats.query();
          await db.pool.query(
            `INSERT INTO public.orders_synced SELECT o_orderkey + 100000000, o_custkey, 'F', o_totalprice, o_orderdate,
                  o_orderpriority, o_clerk, o_shippriority, o_comment FROM public.orders_synced ORDER BY o_orderkey LIMIT 10`,
          );
          await until(async () => (await client.orders.stats.query()).stale, "stale figures");
          const stale = await client.orders.stats.query();
          expect(stale.totalOrders).toBe(before.totalOrders);
          expect(stale.computedAt <= new Date().toISOString()).toBe(true);
          await lock.query("SELECT pg_advisory_unlock_all()");
          await until(async () => {
            const s = await client.orders.stats.query();
            return !s.stale && s.totalOrders === before.totalOrders + 10;
          }, "the rebuilt rollup");
          expect((await client.orders.count.query({ status: "F" })).totalOrders).toBe(
            (await truth({ status: "F" })).length,
          );
        } finally {
          await lock.end();
        }
      });

      it("builds the sort keys again when a refresh replaces the table", async () => {
        await db.pool.query("DROP TABLE public.orders_synced");
        const c = await db.pool.connect();
        try {
          await loadOrders(c, { rows: 5000, seed: 12 });
        } finally {
          c.release();
        }
        await until(
          async () =>
            (await sortKeysReady()) &&
            (mode === "table" ||
              (await db.pool.query("SELECT 1 FROM app_data.order_keys")).rowCount === 5000),
          "sort keys of the new table",
        );
        await until(
          async () => (await client.orders.count.query()).totalOrders === 5000,
          "the new table's rollup",
        );
        expect(
          (await client.orders.list.query({ sort: "-totalPrice", page: 20, pageSize: 100 })).orders.map(
            (o) => o.orderKey,
          ),
        ).toEqual((await truth({}, "-totalPrice")).slice(1900, 2000));
      });

      it("rebuilds at most once per ORDERS_ROLLUP_MIN_REBUILD_SECONDS, saying the figures are stale meanwhile", async () => {
        // The only process left checking: one that may rebuild once an hour.
        services.orders.close();
        const slow = appOver(db, { ORDERS_ROLLUP_MIN_REBUILD_SECONDS: "3600" });
        try {
          await slow.services.orders.ready();
          // Figures of the last rollup (fresh, or already stale if the previous test's load is still being counted).
          const before = await slow.client.orders.stats.query();
          await db.pool.query(
            `INSERT INTO public.orders_synced SELECT o_orderkey + 200000000, o_custkey, 'O', o_totalprice, o_orderdate,
                  o_orderpriority, o_clerk, o_shippriority, o_comment FROM public.orders_synced ORDER BY o_orderkey LIMIT 3`,
          );
          await until(async () => (await slow.client.orders.stats.query()).stale, "stale figures");
          await new Promise((r) => setTimeout(r, 2500));
          const later = await slow.client.orders.stats.query();
          expect(later).toMatchObject({ stale: true, totalOrders: before.totalOrders });
          expect(later.totalOrders).not.toBe((await truth({})).length);
        } finally {
          slow.services.orders.close();
        }
      });
    });
  });
}
