import { type Db, retryRead } from "@lakebase-orders/db";
import type { Logger } from "@lakebase-orders/log";
import { createCache } from "../cache/cache.ts";
import { mapDbError, mapWriteError, orderNotFound } from "./db-errors.ts";
import { createSortKeys, type SortKeysMode } from "./indexes/sort-keys.ts";
import { csvStatement } from "./reads/csv-statement.ts";
import { filterKey } from "./reads/filter-key.ts";
import { listPage, streamPage } from "./reads/pages.ts";
import { createReadPath } from "./reads/read-path.ts";
import { hasFilters } from "./reads/sql-builder.ts";
import {
  byKeyStatement,
  countStatement,
  DEFERRED_JOIN_FROM,
  type OrderRow,
  pageStatement,
  shouldCollect,
  statsStatement,
  streamStatement,
} from "./reads/statements.ts";
import { createRollupKeeper, type RollupView } from "./rollup/keeper.ts";
import type { RollupFigures } from "./rollup/rollup.ts";
import { statsFromGroups } from "./rollup/stats.ts";
import type { CountOutput, ListInput, OrderFilters, StatsOutput, StreamInput } from "./schemas.ts";
import type { SyncedTable } from "./tables.ts";
import type { OrdersStore, ReadOptions } from "./types.ts";
import { movesCount, movesStats } from "./writes/affected.ts";
import type { ChangeFeed } from "./writes/change-feed.ts";
import type { OrderChange } from "./writes/change-log.ts";
import { createStatusWriter } from "./writes/status-writer.ts";

export interface OrdersStoreOptions {
  /** Pools for reads (pg, prepared statements) and Prisma for writes and the app's own tables. */
  db: Pick<Db, "prisma" | "read" | "pool" | "readPool" | "config">;
  table: SyncedTable;
  logger: Logger;
  /** How long a scanned count (before the rollup exists) is reused. */
  countCacheTtlSeconds: number;
  /** How often the synced table is checked for changes that call for a new rollup (default 5). */
  rollupCheckSeconds?: number;
  /** Least time between two rollup rebuilds (default 60). */
  rollupMinRebuildSeconds?: number;
  /** Build the indexes the sorts need on the synced table where the app may (default true; ORDERS_INDEXES). */
  maintainIndexes?: boolean;
  /** How the sorts find their keys: the table's indexes, the app's projection, either (default), or neither. */
  sortKeys?: SortKeysMode;
  /**
   * Every committed status change, whoever made it (this process, a sibling worker, another container):
   * what this process keeps follows it. Without one (tests of the store alone), only this store's own.
   */
  changes?: ChangeFeed;
  /** A status changed, here or elsewhere: for other figures kept from the orders (the trend). */
  onChanged?: (change: OrderChange) => void;
  /** The synced table changed (a sync): for other figures kept from it (the trend). */
  onTableChanged?: () => void;
  /**
   * True while the readable secondary may not have replayed the latest status change: figures that are
   * kept for everyone are then read from the primary, never kept from before the change.
   */
  replicaBehind?: () => boolean;
}

/**
 * Orders reads and status changes. The split: reads of the synced table (the hot path) go through
 * node-postgres on the same token-injected pools, as named prepared statements where the plan does not
 * depend on the values; the app's own tables and every write stay with Prisma (typed models, transactions).
 * Counts, stats, the trend's months and deep-page positions come from the rollup (see rollup/keeper.ts) once
 * it exists; until then, and for what it cannot answer, from SQL. Pages find their keys where the sort keys
 * say (indexes/sort-keys.ts): the synced table's own indexes, or the app's projection of its sort columns.
 */
export function createOrdersStore(options: OrdersStoreOptions): OrdersStore {
  const { db, table, logger } = options;
  const T = table.sqlName;
  const reads = createReadPath({
    primary: db.pool,
    replica: db.readPool,
    logger,
    replicaRetryAfterMs: db.config.replicaRetryAfterMillis,
    tableName: table.fullName,
  });
  const checkIntervalMs = (options.rollupCheckSeconds ?? 5) * 1000;
  const sortKeys = createSortKeys({
    pool: db.pool,
    table,
    logger,
    mode: options.sortKeys ?? "auto",
    buildTableIndexes: options.maintainIndexes ?? true,
    checkIntervalMs,
  });
  const rollup = createRollupKeeper({
    primary: db.pool,
    table,
    logger,
    checkIntervalMs,
    minRebuildMs: (options.rollupMinRebuildSeconds ?? 60) * 1000,
    sortKeys,
    // A sync moved the table: counts kept from before it are not fresh any more (the rollup's say stale).
    onTableChanged: () => {
      counts.clear();
      scannedStats.clear();
      options.onTableChanged?.();
    },
  });
  const ttlMs = options.countCacheTtlSeconds * 1000;
  // Before the rollup exists: stale-while-refresh, a count is at most twice the TTL old.
  const counts = createCache<{ n: number; at: number }>({ name: "orders.count", ttlMs, staleMs: ttlMs });
  const scannedStats = createCache<StatsOutput>({ name: "orders.stats", ttlMs, staleMs: ttlMs });
  const writer = createStatusWriter(db.prisma, table, {
    onPruneFailed: (error) =>
      logger.warn("orders_prune_failed", { message: error instanceof Error ? error.message : String(error) }),
  });

  // Reads survive a lost connection (retried once on a fresh one); a write only by its own means (a status
  // change carries a write id that makes a second attempt safe), never here (see mapWriteError).
  const guard = async <R>(work: () => Promise<R>, kind: "read" | "write" = "read"): Promise<R> => {
    try {
      return kind === "read" ? await retryRead(work) : await work();
    } catch (error) {
      throw kind === "read" ? mapDbError(error, table.fullName) : mapWriteError(error, table.fullName);
    }
  };

  // Where a figure that is kept is read from (a user's stay on the user's own connection).
  const keptFrom = (o: ReadOptions | undefined): ReadOptions | undefined =>
    options.replicaBehind?.() ? { ...o, fromPrimary: true } : o;
  // A user's figures are theirs (their grants and policies chose the rows): kept under their own key.
  const cacheKey = (f: OrderFilters, o: ReadOptions | undefined) =>
    o?.asUser ? `as:${o.asUser.key}|${filterKey(f)}` : filterKey(f);
  // The rollup is the whole table's, as the app sees it: it never answers, nor steers the SQL, for a user.
  const rollupFor = (o: ReadOptions | undefined) => (o?.asUser ? Promise.resolve(undefined) : rollup.view());

  const scannedCount = (f: OrderFilters, o: ReadOptions | undefined) =>
    counts.get(cacheKey(f, o), async () => {
      const rows = await reads.rows<{ n: number }>(countStatement(T, f), keptFrom(o));
      return { n: Number(rows[0]?.n ?? 0), at: Date.now() };
    });

  const countOf = async (
    f: OrderFilters,
    o: ReadOptions | undefined,
    view?: RollupView,
  ): Promise<CountOutput> => {
    if (view) {
      return { totalOrders: view.figures.count(f), computedAt: view.asOf.toISOString(), stale: view.stale };
    }
    const { n, at } = await scannedCount(f, o);
    return { totalOrders: n, computedAt: new Date(at).toISOString(), stale: false };
  };

  // A committed change moves counts between statuses: only the figures it moves are forgotten or corrected.
  const changed = (change: OrderChange) => {
    counts.forget((key) => movesCount(change, key));
    scannedStats.forget((key) => movesStats(change, key));
    rollup.orderChanged(change);
    options.onChanged?.(change);
  };
  const unsubscribe = options.changes?.onChange(changed);
  // Changes the feed could not tell one by one (its first look, a gap): whatever was kept from before them is
  // read again. The overrides are reloaded before the next figures; the scanned figures are recomputed.
  const unsubscribeResync = options.changes?.onResync(() => {
    counts.clear();
    scannedStats.clear();
    rollup.overridesChanged();
  });

  return {
    list: (input: ListInput, o?: ReadOptions) =>
      guard(async () => {
        const offset = (input.page - 1) * input.pageSize;
        const deep = offset >= DEFERRED_JOIN_FROM;
        const filtered = hasFilters(input);
        const view = input.includeCount || deep || filtered ? await rollupFor(o) : undefined;
        // The rollup steers the SQL only while it matches the table: a stale one could point at wrong rows.
        const fresh = view && !view.stale ? view.figures : undefined;
        const count = input.includeCount ? countOf(input, o, view) : null;
        // Observed at once: when the page read fails first (a stopped database), nothing else awaits the
        // count, and Node ends the process on an unobserved rejection. The page's own error is the answer.
        count?.catch(() => undefined);
        const page = (page: OrderRow[]) =>
          count?.then((c) => listPage(input, page, c.totalOrders)) ?? listPage(input, page, null);
        if (fresh && filtered && fresh.count(input) === 0) return page([]);
        // Deep pages seek to the bucket that holds their first row and skip only within it.
        const seek = deep ? fresh?.seek(input.sort, input, offset) : undefined;
        const skip = seek ? seek.offset : offset;
        const limit = input.pageSize + 1;
        const rows = await reads.rows<OrderRow>(
          pageStatement(T, {
            keys: sortKeys.keysTable(),
            filters: input,
            sort: input.sort,
            offset: skip,
            limit,
            from: seek?.from,
            span: fresh && filtered ? fresh.span(input) : undefined,
            collect: fresh && filtered ? collect(fresh, input, skip + limit) : false,
          }),
          o,
        );
        return page(rows);
      }),

    stream: (input: StreamInput, o?: ReadOptions) =>
      guard(async () => {
        const backward = input.direction === "backward";
        const view = hasFilters(input) ? await rollupFor(o) : undefined;
        const fresh = view && !view.stale ? view.figures : undefined;
        const rows =
          fresh && fresh.count(input) === 0
            ? []
            : await reads.rows<OrderRow>(
                streamStatement(T, {
                  keys: sortKeys.keysTable(),
                  filters: input,
                  cursor: input.cursor,
                  backward,
                  limit: input.pageSize + 1,
                  span: fresh?.span(input),
                  collect: fresh ? collect(fresh, input, input.pageSize + 1) : false,
                }),
                o,
              );
        return streamPage(input, rows);
      }),

    byKey: (orderKey: number, o?: ReadOptions) =>
      guard(async () => {
        const rows = await reads.rows<OrderRow>(byKeyStatement(T, orderKey), o);
        const row = rows[0];
        if (!row) throw orderNotFound(orderKey);
        return row;
      }),

    count: (filters: OrderFilters, o?: ReadOptions) =>
      guard(async () => countOf(filters, o, await rollupFor(o))),

    stats: (filters: OrderFilters, o?: ReadOptions) =>
      guard(async () => {
        const view = await rollupFor(o);
        if (view) {
          return {
            ...view.figures.stats(filters),
            computedAt: view.asOf.toISOString(),
            ttlSeconds: options.rollupCheckSeconds ?? 5,
            stale: view.stale,
          };
        }
        return scannedStats.get(cacheKey(filters, o), async () => {
          const rows = await reads.rows<{ status: string; priority: string; n: number }>(
            statsStatement(T, filters),
            keptFrom(o),
          );
          return {
            ...statsFromGroups(rows),
            computedAt: new Date().toISOString(),
            ttlSeconds: options.countCacheTtlSeconds,
            stale: false,
          };
        });
      }),

    updateStatus: (input, by) =>
      guard(async () => {
        const { update, change, lsn } = await writer.updateStatus(input, by);
        // Committed (a write that failed changed nothing, so it invalidates nothing and marks nobody): now
        // every process learns it, this one before the caller hears back.
        if (options.changes) options.changes.committed(change, lsn);
        else changed(change);
        return { update, token: { seq: change.seq, lsn } };
      }, "write"),

    // The app's own table, a few rows per order, read where it is written: a change made a moment ago through
    // another container is there even before this one hears of it (the secondary may lag behind it).
    history: (orderKey: number, _o?: ReadOptions) => guard(() => writer.history(db.prisma, orderKey)),

    csv: (query, copy, o) => reads.copy(csvStatement(table, query), copy, o),

    months: async () => {
      const view = await rollup.view();
      return view && { cells: view.figures.months(), asOf: view.asOf, stale: view.stale };
    },

    sortKeys: () => sortKeys.status(),

    ready: () => rollup.firstCheck,

    close() {
      unsubscribe?.();
      unsubscribeResync?.();
      rollup.close();
      sortKeys.close();
    },
  };
}

/** Few matches scattered along the sort: collect them (see shouldCollect); counts from the rollup. */
function collect(figures: RollupFigures, f: OrderFilters, skipPlusPage: number): boolean {
  const source = figures.count(f.status ? { status: f.status } : {});
  return shouldCollect(figures.count(f), source, skipPlusPage);
}
