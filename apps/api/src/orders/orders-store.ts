import { Prisma, type PrismaClient } from "@lakebase-orders/db";
import { conflict, notFound } from "../errors/domain-error.ts";
import { createCache } from "../lib/cache.ts";
import { mapDbError } from "./db-errors.ts";
import type {
  HistoryOutput,
  ListInput,
  Order,
  OrderFilters,
  OrderSort,
  StatsOutput,
  StreamInput,
  UpdateStatusInput,
} from "./schemas.ts";
import type { OrdersStore, ReadOptions } from "./store.ts";
import { type SyncedTable, tableSql } from "./synced-table.ts";

const { sql, join, empty, raw } = Prisma;

export interface OrdersStoreOptions {
  /** Writes, and reads that must see the caller's own writes. */
  prisma: PrismaClient;
  /** Other reads: a readable secondary with fallback to the primary, or the primary itself. */
  read: PrismaClient;
  table: SyncedTable;
  /** How long an exact count (and the stats) is reused. Synced data changes only when the pipeline runs. */
  countCacheTtlSeconds: number;
}

interface OrderRow {
  orderKey: bigint;
  custKey: bigint;
  status: string;
  totalPrice: string;
  orderDate: string;
  priority: string;
  clerk: string;
  shipPriority: number;
  comment: string;
}

const STATUS = raw(`"app_data"."order_status"`);
/** Rows skipped from which a list page seeks its keys through the index before fetching rows. */
const DEFERRED_JOIN_FROM = 1000;

// Sort keys always end on the order key: a total order, so OFFSET pages tile the table exactly.
const ORDER_BY: Record<OrderSort, string> = {
  orderKey: "o.o_orderkey ASC",
  "-orderKey": "o.o_orderkey DESC",
  orderDate: "o.o_orderdate ASC, o.o_orderkey ASC",
  "-orderDate": "o.o_orderdate DESC, o.o_orderkey DESC",
  totalPrice: "o.o_totalprice ASC, o.o_orderkey ASC",
  "-totalPrice": "o.o_totalprice DESC, o.o_orderkey DESC",
};

export function createOrdersStore(options: OrdersStoreOptions): OrdersStore {
  const { prisma, table } = options;
  const T = tableSql(table);
  const ttlMs = options.countCacheTtlSeconds * 1000;
  // Stale-while-refresh: a count is at most twice the TTL old, and a busy endpoint never waits on its expiry.
  const counts = createCache<number>({ ttlMs, staleMs: ttlMs });
  const stats = createCache<StatsOutput>({ ttlMs, staleMs: ttlMs });
  const reader = (o: ReadOptions | undefined) => (o?.fromPrimary ? prisma : options.read);

  // Text casts in SQL give the wire format directly (no Decimal/Date objects to convert per row).
  const columns = sql`o.o_orderkey AS "orderKey", o.o_custkey AS "custKey",
    COALESCE(s.status, o.o_orderstatus) AS status, o.o_totalprice::text AS "totalPrice",
    to_char(o.o_orderdate, 'YYYY-MM-DD') AS "orderDate", o.o_orderpriority AS priority, o.o_clerk AS clerk,
    o.o_shippriority AS "shipPriority", o.o_comment AS comment`;

  const where = (f: OrderFilters, extra: Prisma.Sql[] = []): Prisma.Sql => {
    const conditions = [...extra];
    if (f.priority) conditions.push(sql`o.o_orderpriority = ${f.priority}`);
    if (f.dateFrom) conditions.push(sql`o.o_orderdate >= ${f.dateFrom}::date`);
    if (f.dateTo) conditions.push(sql`o.o_orderdate <= ${f.dateTo}::date`);
    if (f.status) {
      // Overrides are few: the synced status decides unless an override exists. Both sub-selects become
      // hashed sub-plans over the small status table, so the synced-table indexes stay usable.
      conditions.push(sql`((o.o_orderstatus = ${f.status}
          AND o.o_orderkey NOT IN (SELECT x.order_key FROM ${STATUS} x))
        OR o.o_orderkey IN (SELECT x.order_key FROM ${STATUS} x WHERE x.status = ${f.status}))`);
    }
    return conditions.length > 0 ? sql`WHERE ${join(conditions, " AND ")}` : empty;
  };

  const guard = async <R>(work: () => Promise<R>): Promise<R> => {
    try {
      return await work();
    } catch (error) {
      throw mapDbError(error, table.fullName);
    }
  };

  const countOf = (f: OrderFilters, o: ReadOptions | undefined): Promise<number> =>
    counts.get(filterKey(f), async () => {
      const rows = await reader(o).$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM ${T} o ${where(f)}`;
      return Number(rows[0]?.n ?? 0);
    });

  const exists = async (orderKey: number, o: ReadOptions | undefined): Promise<string | undefined> => {
    const rows = await reader(o).$queryRaw<{ status: string }[]>`
      SELECT o.o_orderstatus AS status FROM ${T} o WHERE o.o_orderkey = ${orderKey}`;
    return rows[0]?.status;
  };

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
          SELECT ${columns} FROM ${T} o
          LEFT JOIN ${STATUS} s ON s.order_key = o.o_orderkey
          ${where(input)}
          ORDER BY ${orderBy} LIMIT ${input.pageSize + 1} OFFSET ${offset}`
            : db.$queryRaw<OrderRow[]>`
          WITH page AS MATERIALIZED (
            SELECT o.o_orderkey FROM ${T} o ${where(input)}
            ORDER BY ${orderBy} LIMIT ${input.pageSize + 1} OFFSET ${offset}
          )
          SELECT ${columns} FROM page p
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
          SELECT ${columns} FROM ${T} o
          LEFT JOIN ${STATUS} s ON s.order_key = o.o_orderkey ${overrideBound}
          ${where(input, bound)}
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
          SELECT ${columns} FROM ${T} o
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
            ${where(filters)}
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

    updateStatus: (input: UpdateStatusInput, by) =>
      guard(async () => {
        const key = BigInt(input.orderKey);
        const attempt = () =>
          prisma.$transaction(async (tx) => {
            const synced = await tx.$queryRaw<{ status: string }[]>`
              SELECT o.o_orderstatus AS status FROM ${T} o WHERE o.o_orderkey = ${input.orderKey}`;
            if (!synced[0]) throw orderNotFound(input.orderKey);
            // The row lock serialises writers of one order, so expectedStatus is checked against the
            // status that is really current and the history's previousStatus is exact.
            const current = await tx.$queryRaw<{ status: string }[]>`
              SELECT status FROM ${STATUS} WHERE order_key = ${key} FOR UPDATE`;
            const previousStatus = current[0]?.status ?? synced[0].status;
            if (input.expectedStatus !== undefined && input.expectedStatus !== previousStatus) {
              throw conflict(
                `Order ${input.orderKey} has status ${previousStatus}, not the expected ${input.expectedStatus}; reload and retry.`,
              );
            }
            const now = new Date();
            const row = current[0]
              ? await tx.orderStatus.update({
                  where: { orderKey: key },
                  data: {
                    status: input.status,
                    version: { increment: 1 },
                    updatedAt: now,
                    updatedBy: by.actor,
                  },
                })
              : await tx.orderStatus.create({
                  data: { orderKey: key, status: input.status, updatedAt: now, updatedBy: by.actor },
                });
            await tx.orderStatusHistory.create({
              data: {
                orderKey: key,
                previousStatus,
                status: input.status,
                changedAt: now,
                changedBy: by.actor,
                requestId: by.requestId,
              },
            });
            return {
              orderKey: input.orderKey,
              status: row.status,
              previousStatus,
              updatedAt: row.updatedAt.toISOString(),
              updatedBy: row.updatedBy,
            };
          });
        try {
          return await attempt();
        } catch (error) {
          // Two first-ever writers of one order: the loser hits the primary key; once more, it finds
          // the winner's row under the lock and is checked against it.
          if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")
            return attempt();
          throw error;
        } finally {
          counts.clear();
          stats.clear();
        }
      }),

    history: (orderKey: number, o?: ReadOptions) =>
      guard(async () => {
        const [synced, changes] = await Promise.all([
          exists(orderKey, o),
          reader(o).orderStatusHistory.findMany({
            where: { orderKey: BigInt(orderKey) },
            orderBy: [{ changedAt: "desc" }, { id: "desc" }],
          }),
        ]);
        if (synced === undefined) throw orderNotFound(orderKey);
        return {
          orderKey,
          changes: changes.map((c) => ({
            status: c.status,
            previousStatus: c.previousStatus,
            changedAt: c.changedAt.toISOString(),
            changedBy: c.changedBy,
          })),
        } satisfies HistoryOutput;
      }),
  };
}

function toOrder(r: OrderRow): Order {
  return {
    orderKey: Number(r.orderKey),
    custKey: Number(r.custKey),
    status: r.status,
    totalPrice: r.totalPrice,
    orderDate: r.orderDate,
    priority: r.priority,
    clerk: r.clerk,
    shipPriority: Number(r.shipPriority),
    comment: r.comment,
  };
}

function orderNotFound(orderKey: number) {
  return notFound(`Order ${orderKey} not found`);
}

function filterKey(f: OrderFilters): string {
  return JSON.stringify([f.status ?? null, f.priority ?? null, f.dateFrom ?? null, f.dateTo ?? null]);
}
