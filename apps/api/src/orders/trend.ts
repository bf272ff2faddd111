import { type PrismaClient, retryRead } from "@lakebase-orders/db";
import { ORDER_PRIORITIES, ORDER_STATUSES, TREND_SPLITS } from "@lakebase-orders/shared";
import { z } from "zod";
import { createCache } from "../cache/cache.ts";
import { mapDbError } from "./db-errors.ts";
import type { MonthCell } from "./rollup/rollup.ts";
import { orderPriority, orderStatus } from "./schemas.ts";
import { STATUS, type SyncedTable, tableSql } from "./tables.ts";

// orders.trend: orders and revenue per month over the whole date range, split by status or by priority.
// The grid (month x overlaid status x priority, a few hundred cells) comes from the rollup, which holds orders
// and revenue per day (no SQL: the first call costs what any other does, at any table size); every split and
// filter is cut from it in memory. Before a rollup exists (a new table's first moments) the grid is one
// grouped scan of the synced table, cached with the app's one cache. The date filters do not apply: the trend
// is where the user picks a month.

export const trendInput = z.object({
  splitBy: z.enum(TREND_SPLITS).default("status"),
  status: orderStatus.optional(),
  priority: orderPriority.optional(),
});
export type TrendInput = z.infer<typeof trendInput>;

export interface TrendCell {
  /** A status code or a priority. */
  key: string;
  orders: number;
  /** Sum of the orders' totals, numeric as text ("1234.56"): exact, like `totalPrice`. */
  revenue: string;
}

export interface TrendMonth {
  /** YYYY-MM */
  month: string;
  orders: number;
  revenue: string;
  /** One cell per series, in `series` order (zeros included). */
  cells: TrendCell[];
}

export interface TrendOutput {
  splitBy: TrendInput["splitBy"];
  /** The series' keys, in display order. */
  series: string[];
  /** Every month from the first order to the last, months without orders included. */
  months: TrendMonth[];
  /**
   * When the figures were exact for the synced table (ISO 8601): the rollup's time, like the stats'; before
   * a rollup exists, when the scanned grid was computed (reused `ttlSeconds`, then as long again).
   */
  computedAt: string;
  ttlSeconds: number;
  /** The synced table has changed since `computedAt` and the rollup is being rebuilt (as the stats say). */
  stale?: boolean;
}

/** In cents: exact integer sums. */
type GridCell = MonthCell;

interface Grid {
  cells: GridCell[];
  computedAt: string;
}

export interface TrendOptions {
  read: PrismaClient;
  table: SyncedTable;
  /** Freshness of the scanned grid (before a rollup exists), as for counts and stats. */
  ttlSeconds: number;
  /** The rollup's months (the orders store's `months`): undefined until a rollup exists. */
  months?: () => Promise<{ cells: readonly MonthCell[]; asOf: Date; stale: boolean } | undefined>;
  /** How often the rollup is checked (its figures' `ttlSeconds`, as the stats say). */
  rollupCheckSeconds?: number;
}

export interface Trend {
  (input: TrendInput): Promise<TrendOutput>;
  /** Statuses changed: the next trend is computed again (its split by status counts them). */
  changed(): void;
}

export function createTrend(options: TrendOptions): Trend {
  const T = tableSql(options.table);
  const ttlMs = options.ttlSeconds * 1000;
  const grids = createCache<Grid>({ name: "orders.trend", ttlMs, staleMs: ttlMs, maxEntries: 1 });

  const computeGrid = async (): Promise<Grid> => {
    const rows = await options.read.$queryRaw<
      { month: string; status: string; priority: string; n: bigint; revenue: string }[]
    >`
      SELECT to_char(o.o_orderdate, 'YYYY-MM') AS month, COALESCE(s.status, o.o_orderstatus) AS status,
             o.o_orderpriority AS priority, count(*) AS n, COALESCE(sum(o.o_totalprice), 0)::text AS revenue
      FROM ${T} o LEFT JOIN ${STATUS} s ON s.order_key = o.o_orderkey
      GROUP BY 1, 2, 3`;
    return {
      cells: rows.map((r) => ({
        month: r.month,
        status: r.status,
        priority: r.priority,
        orders: Number(r.n),
        cents: toCents(r.revenue),
      })),
      computedAt: new Date().toISOString(),
    };
  };

  const trend = async (input: TrendInput): Promise<TrendOutput> => {
    let rolled: Awaited<ReturnType<NonNullable<TrendOptions["months"]>>>;
    try {
      rolled = await options.months?.();
    } catch (error) {
      throw mapDbError(error, options.table.fullName);
    }
    if (rolled) {
      return {
        ...cut(rolled.cells, input),
        computedAt: rolled.asOf.toISOString(),
        ttlSeconds: options.rollupCheckSeconds ?? 5,
        stale: rolled.stale,
      };
    }
    let grid: Grid;
    try {
      // A read like the others: retried once on a fresh connection when its connection was lost.
      grid = await grids.get("grid", () => retryRead(computeGrid));
    } catch (error) {
      throw mapDbError(error, options.table.fullName);
    }
    return {
      ...cut(grid.cells, input),
      computedAt: grid.computedAt,
      ttlSeconds: options.ttlSeconds,
    };
  };
  return Object.assign(trend, { changed: () => grids.clear() });
}

/** The split and filters of `input`, cut from the grid. Exported for tests. */
export function cut(
  cells: readonly GridCell[],
  input: TrendInput,
): Pick<TrendOutput, "splitBy" | "series" | "months"> {
  const known: readonly string[] = input.splitBy === "status" ? ORDER_STATUSES : ORDER_PRIORITIES;
  const keyOf = (c: GridCell) => (input.splitBy === "status" ? c.status : c.priority);
  const matching = cells.filter(
    (c) => (!input.status || c.status === input.status) && (!input.priority || c.priority === input.priority),
  );
  // Values outside the vocabulary (none in TPC-H) still show, after the known ones.
  const extra = [...new Set(cells.map(keyOf))].filter((k) => !known.includes(k)).sort();
  const series = [...known, ...extra];
  const index = new Map(series.map((k, i) => [k, i]));

  const byMonth = new Map<string, { orders: number[]; cents: bigint[] }>();
  for (const c of matching) {
    let m = byMonth.get(c.month);
    if (!m) {
      m = { orders: series.map(() => 0), cents: series.map(() => 0n) };
      byMonth.set(c.month, m);
    }
    const i = index.get(keyOf(c)) ?? 0;
    m.orders[i] = (m.orders[i] ?? 0) + c.orders;
    m.cents[i] = (m.cents[i] ?? 0n) + c.cents;
  }
  const all = [...new Set(cells.map((c) => c.month))].sort();
  const months = monthRange(all[0], all.at(-1)).map((month): TrendMonth => {
    const m = byMonth.get(month);
    const cellsOfMonth = series.map((key, i) => ({
      key,
      orders: m?.orders[i] ?? 0,
      revenue: fromCents(m?.cents[i] ?? 0n),
    }));
    return {
      month,
      orders: cellsOfMonth.reduce((sum, c) => sum + c.orders, 0),
      revenue: fromCents((m?.cents ?? []).reduce((sum, c) => sum + c, 0n)),
      cells: cellsOfMonth,
    };
  });
  return { splitBy: input.splitBy, series, months };
}

/** Every YYYY-MM from `first` to `last`, inclusive (none when either is missing). */
export function monthRange(first: string | undefined, last: string | undefined): string[] {
  if (!first || !last) return [];
  const months: string[] = [];
  let [year, month] = first.split("-").map(Number) as [number, number];
  for (let guard = 0; guard < 12 * 1000; guard++) {
    const label = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;
    months.push(label);
    if (label >= last) break;
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return months;
}

/** "1234.5" -> 123450n: numeric(18,2) sums as text, to integer cents without float rounding. */
export function toCents(decimal: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) throw new Error(`not a decimal: ${decimal}`);
  const [, sign, whole = "0", fraction = ""] = match;
  const cents = BigInt(whole) * 100n + BigInt(`${fraction}00`.slice(0, 2));
  return sign ? -cents : cents;
}

export function fromCents(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? "-" : ""}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}
