import { Prisma, type PrismaClient, retryRead } from "@lakebase-orders/db";
import { createCache } from "../lib/cache.ts";
import { mapDbError, mapWriteError } from "./db-errors.ts";
import {
  COLUMNS,
  filterKey,
  ORDER_BY,
  type OrderRow,
  orderNotFound,
  STATUS,
  toOrder,
  whereClause,
} from "./order-sql.ts";
import type { ListInput, OrderFilters, StatsOutput, StreamInput } from "./schemas.ts";
import { createStatusWriter } from "./status-writer.ts";
import type { OrdersStore, ReadOptions } from "./store.ts";
import { type SyncedTable, tableSql } from "./synced-table.ts";

const { sql, empty, raw } = Prisma;

export interface OrdersStoreOptions {
  /** Writes, and reads that must see the caller's own writes. */
  prisma: PrismaClient;
  /** Other reads: a readable secondary with fallback to the primary, or the primary itself. */
  read: PrismaClient;
  table: SyncedTable;
  /** How long an exact count (and the stats) is reused. Synced data changes only when the pipeline runs. */
  countCacheTtlSeconds: number;
}

/** Rows skipped from which a list page seeks its keys through the index before fetching rows. */
const DEFERRED_JOIN_FROM = 1000;

export function createOrdersStore(options: OrdersStoreOptions): OrdersStore {
  const { prisma, table } = options;
  const T = tableSql(table);
  const ttlMs = options.countCacheTtlSeconds * 1000;
  // Stale-while-refresh: a count is at most twice the TTL old, and a busy endpoint never waits on its expiry.
  const counts = createCache<number>({ ttlMs, staleMs: ttlMs });
  const stats = createCache<StatsOutput>({ ttlMs, staleMs: ttlMs });
  const reader = (o: ReadOptions | undefined) => (o?.fromPrimary ? prisma : options.read);

  // Reads survive a lost connection (retried once on a fresh one); writes never are (see mapWriteError).
  const guard = async <R>(work: () => Promise<R>, kind: "read" | "write" = "read"): Promise<R> => {
    try {
      return kind === "read" ? await retryRead(work) : await work();
    } catch (error) {
      throw kind === "read" ? mapDbError(error, table.fullName) : mapWriteError(error, table.fullName);
    }
  };

  const countOf = (f: OrderFilters, o: ReadOptions | undefined): Promise<number> =>
    counts.get(filterKey(f), async () => {
      const rows = await reader(o).$queryRaw<
        { n: bigint }[]
      >`SELECT count(*) AS n FROM ${T} o ${whereClause(f)}`;
      return Number(rows[0]?.n ?? 0);
    });

  const writer = createStatusWriter(prisma, table);

  return {
    list: (input: ListInput, o?: ReadOptions) =>
      guard(async () => {
        const db = reader(o);
        const orderBy = raw(ORDER_BY[input.sort]);
        const offset = (input.page - 1) * input.pageSize;
        // Near the top a plain index walk is cheapest; deeper, a deferred join: walk the narrow sort index
        // to the page's keys first (OFFSET skips index entries, not full rows), then fetch only those rows.
        const page =
          offset < DEFERRED_JOIN_FROM
            ? db.$queryRaw<OrderRow[]>`
          SELECT ${COLUMNS} FROM ${T} o
          LEFT JOIN ${STATUS} s ON s.order_key = o.o_orderkey
          ${whereClause(input)}
          ORDER BY ${orderBy} LIMIT ${input.pageSize + 1} OFFSET ${offset}`
            : db.$queryRaw<OrderRow[]>`
          WITH page AS MATERIALIZED (
            SELECT o.o_orderkey FROM ${T} o ${whereClause(input)}
            ORDER BY ${orderBy} LIMIT ${input.pageSize + 1} OFFSET ${offset}
          )
          SELECT ${COLUMNS} FROM page p
          JOIN ${T} o ON o.o_orderkey = p.o_orderkey
          LEFT JOIN ${STATUS} s ON s.order_key = o.o_orderkey
          ORDER BY ${orderBy}`;
        const [rows, totalCount] = await Promise.all([
          page,
          input.includeCount ? countOf(input, o) : Promise.resolve(null),
        ]);
        return {
          orders: rows.slice(0, input.pageSize).map(toOrder),
          pagination: {
            page: input.page,
            pageSize: input.pageSize,
            hasNext: rows.length > input.pageSize,
            hasPrevious: input.page > 1,
            totalCount,
            totalPages: totalCount === null ? null : Math.ceil(totalCount / input.pageSize),
          },
        };
      }),

    stream: (input: StreamInput, o?: ReadOptions) =>
      guard(async () => {
        const backward = input.direction === "backward";
        const cmp = raw(backward ? "<" : ">");
        const hasCursor = input.cursor != null;
        const bound = hasCursor ? [sql`o.o_orderkey ${cmp} ${input.cursor}`] : [];
        // The same bound on the overrides: otherwise the planner's merge join reads every override below
        // the cursor before the first row, and deep pages get slower as overrides accumulate.
        const overrideBound = hasCursor ? sql`AND s.order_key ${cmp} ${input.cursor}` : empty;
        // Keyset on the primary key: the same cost at any depth, unlike OFFSET.
        const rows = await reader(o).$queryRaw<OrderRow[]>`
          SELECT ${COLUMNS} FROM ${T} o
          LEFT JOIN ${STATUS} s ON s.order_key = o.o_orderkey ${overrideBound}
          ${whereClause(input, bound)}
          ORDER BY o.o_orderkey ${raw(backward ? "DESC" : "ASC")} LIMIT ${input.pageSize + 1}`;
        const hasNext = rows.length > input.pageSize;
        const pageRows = rows.slice(0, input.pageSize);
        // Pages always read in ascending key order; going backward, the next cursor is the page's first key.
        if (backward) pageRows.reverse();
        const edge = backward ? pageRows[0] : pageRows.at(-1);
        return {
          orders: pageRows.map(toOrder),
          pagination: { nextCursor: hasNext && edge ? Number(edge.orderKey) : null, hasNext },
        };
      }),

    byKey: (orderKey: number, o?: ReadOptions) =>
      guard(async () => {
        const rows = await reader(o).$queryRaw<OrderRow[]>`
          SELECT ${COLUMNS} FROM ${T} o
          LEFT JOIN ${STATUS} s ON s.order_key = o.o_orderkey
          WHERE o.o_orderkey = ${orderKey}`;
        const row = rows[0];
        if (!row) throw orderNotFound(orderKey);
        return toOrder(row);
      }),

    count: (filters: OrderFilters, o?: ReadOptions) =>
      guard(async () => ({ totalOrders: await countOf(filters, o) })),

    stats: (filters: OrderFilters, o?: ReadOptions) =>
      guard(() =>
        stats.get(filterKey(filters), async () => {
          const rows = await reader(o).$queryRaw<{ status: string; priority: string; n: bigint }[]>`
            SELECT COALESCE(s.status, o.o_orderstatus) AS status, o.o_orderpriority AS priority, count(*) AS n
            FROM ${T} o LEFT JOIN ${STATUS} s ON s.order_key = o.o_orderkey
            ${whereClause(filters)}
            GROUP BY 1, 2`;
          const byStatus = new Map<string, number>();
          const byPriority = new Map<string, number>();
          let total = 0;
          for (const r of rows) {
            const n = Number(r.n);
            total += n;
            byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + n);
            byPriority.set(r.priority, (byPriority.get(r.priority) ?? 0) + n);
          }
          return {
            totalOrders: total,
            byStatus: [...byStatus]
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([status, count]) => ({ status, count })),
            byPriority: [...byPriority]
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([priority, count]) => ({ priority, count })),
            computedAt: new Date().toISOString(),
            ttlSeconds: options.countCacheTtlSeconds,
          };
        }),
      ),

    updateStatus: (input, by) =>
      guard(async () => {
        try {
          return await writer.updateStatus(input, by);
        } finally {
          // A status change moves counts between statuses: the next read recomputes.
          counts.clear();
          stats.clear();
        }
      }, "write"),

    history: (orderKey: number, o?: ReadOptions) => guard(() => writer.history(reader(o), orderKey)),
  };
}
