import type { DaySpan } from "../reads/sql-builder.ts";
import type { OrderFilters, OrderSort, StatsOutput } from "../schemas.ts";
import { type StatsGroup, statsFromGroups } from "./stats.ts";

// The rollup in memory: exact counts of the synced table per (bucket, status, priority) along three
// dimensions (order day, price bucket, key bucket), with the app's status overrides applied. Counts and
// stats for any status/priority/date-range combination, and the position of any row of a sort, come from
// prefix sums here: the cost does not grow with the table.

/** Dimension of a rollup row: order day, total-price bucket, order-key bucket. */
export type Dim = "d" | "p" | "k";
export const PRICE_BUCKET = 100;
export const KEY_BUCKET_BITS = 15;
const DAY_MS = 86_400_000;

export interface RollupRow {
  dim: Dim;
  bucket: number;
  status: string;
  priority: string;
  n: number;
  /** Sum of the rows' total prices in cents (exact); read on the day dimension only (the trend's revenue). */
  cents: bigint;
}

/** An override that moves one order from its synced status to another. */
export interface Correction {
  day: number;
  priceBucket: number;
  keyBucket: number;
  priority: string;
  synced: string;
  status: string;
  /** The order's total price in cents: its revenue moves with it. */
  cents: bigint;
}

/** Orders and revenue of one month, overlaid status and priority: the trend's grid, cut in memory. */
export interface MonthCell {
  /** YYYY-MM */
  month: string;
  status: string;
  priority: string;
  orders: number;
  /** Exact integer sum of the orders' totals in cents. */
  cents: bigint;
}

interface Axis {
  /** Distinct buckets, ascending. */
  buckets: Float64Array;
  /** Per combination (status, priority): cumulative counts, prefix[i] = rows in buckets[0..i). */
  prefix: Float64Array[];
}

export interface Seek {
  /** Inclusive bound of the sort's leading column where the walk starts. */
  from: string | number;
  /** Rows to skip from there. */
  offset: number;
}

export interface RollupFigures {
  count(f: OrderFilters): number;
  stats(f: OrderFilters): Pick<StatsOutput, "totalOrders" | "byStatus" | "byPriority">;
  /** Where row `offset` of the sort starts, or undefined when this rollup cannot tell (a date filter on a
   * price or key sort). */
  seek(sort: OrderSort, f: OrderFilters, offset: number): Seek | undefined;
  /**
   * First and last day with rows whose synced status (not the overlaid one) and priority match, inside the
   * filters' dates; null when there are none. Every row the filters can match lies in it (see DaySpan).
   */
  span(f: OrderFilters): DaySpan | null;
  /** Orders and revenue per month, overlaid status and priority (every combination with orders). */
  months(): readonly MonthCell[];
}

export const dayNumber = (iso: string) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
export const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** Builds the figures from the rollup rows and the overrides' corrections. */
export function buildFigures(rows: readonly RollupRow[], corrections: readonly Correction[]): RollupFigures {
  const combos: { status: string; priority: string }[] = [];
  const comboIndex = new Map<string, number>();
  const combo = (status: string, priority: string) => {
    const key = `${status}\u0000${priority}`;
    let i = comboIndex.get(key);
    if (i === undefined) {
      i = combos.length;
      combos.push({ status, priority });
      comboIndex.set(key, i);
    }
    return i;
  };
  const cells: Record<Dim, Map<number, Map<number, number>>> = { d: new Map(), p: new Map(), k: new Map() };
  const add = (dim: Dim, bucket: number, c: number, n: number) => {
    let byCombo = cells[dim].get(bucket);
    if (!byCombo) {
      byCombo = new Map();
      cells[dim].set(bucket, byCombo);
    }
    byCombo.set(c, (byCombo.get(c) ?? 0) + n);
  };
  for (const r of rows) add(r.dim, r.bucket, combo(r.status, r.priority), r.n);
  let months: MonthCell[] | undefined;
  // The synced statuses' own days, before the overrides move rows between statuses.
  const baseDays = new Map([...cells.d].map(([bucket, byCombo]) => [bucket, new Map(byCombo)]));
  for (const c of corrections) {
    const from = combo(c.synced, c.priority);
    const to = combo(c.status, c.priority);
    for (const [dim, bucket] of [
      ["d", c.day],
      ["p", c.priceBucket],
      ["k", c.keyBucket],
    ] as const) {
      add(dim, bucket, from, -1);
      add(dim, bucket, to, 1);
    }
  }
  const axis = (source: Map<number, Map<number, number>>): Axis => {
    const buckets = Float64Array.from([...source.keys()].sort((a, b) => a - b));
    const prefix = combos.map(() => new Float64Array(buckets.length + 1));
    buckets.forEach((bucket, i) => {
      const byCombo = source.get(bucket)!;
      prefix.forEach((p, c) => {
        p[i + 1] = p[i]! + (byCombo.get(c) ?? 0);
      });
    });
    return { buckets, prefix };
  };
  const axes: Record<Dim, Axis> = { d: axis(cells.d), p: axis(cells.p), k: axis(cells.k) };
  const synced = axis(baseDays);

  const matching = (f: OrderFilters) =>
    combos.flatMap((c, i) =>
      (!f.status || c.status === f.status) && (!f.priority || c.priority === f.priority) ? [i] : [],
    );
  /** Bucket index range [lo, hi) of a day axis inside the filters' dates. */
  const dayRange = (f: OrderFilters, days: Axis = axes.d): [number, number] => {
    const b = days.buckets;
    return [
      f.dateFrom ? lowerBound(b, dayNumber(f.dateFrom)) : 0,
      f.dateTo ? lowerBound(b, dayNumber(f.dateTo) + 1) : b.length,
    ];
  };
  const sum = (a: Axis, cs: number[], lo: number, hi: number) => {
    let n = 0;
    for (const c of cs) n += a.prefix[c]![hi]! - a.prefix[c]![lo]!;
    return n;
  };

  return {
    months() {
      months ??= monthCells(rows, corrections);
      return months;
    },

    span(f) {
      const [lo, hi] = dayRange(f, synced);
      const cs = matching(f);
      const total = hi > lo ? sum(synced, cs, lo, hi) : 0;
      if (total <= 0) return null;
      // First bucket with a row: smallest i with rows in [lo, i] > 0; last: largest i with rows in [i, hi) > 0.
      let a = lo;
      let z = hi - 1;
      while (a < z) {
        const mid = (a + z) >>> 1;
        if (sum(synced, cs, lo, mid + 1) > 0) z = mid;
        else a = mid + 1;
      }
      const first = a;
      a = lo;
      z = hi - 1;
      while (a < z) {
        const mid = Math.ceil((a + z) / 2);
        if (sum(synced, cs, mid, hi) > 0) a = mid;
        else z = mid - 1;
      }
      return { from: isoDay(synced.buckets[first]!), to: isoDay(synced.buckets[a]!) };
    },

    count(f) {
      const [lo, hi] = dayRange(f);
      return hi > lo ? sum(axes.d, matching(f), lo, hi) : 0;
    },

    stats(f) {
      const [lo, hi] = dayRange(f);
      const groups: StatsGroup[] = [];
      for (const c of matching(f)) {
        const n = hi > lo ? sum(axes.d, [c], lo, hi) : 0;
        if (n > 0) groups.push({ ...combos[c]!, n });
      }
      return statsFromGroups(groups);
    },

    seek(sort, f, offset) {
      const desc = sort.startsWith("-");
      const column = desc ? sort.slice(1) : sort;
      const dim: Dim = column === "orderDate" ? "d" : column === "totalPrice" ? "p" : "k";
      if (dim !== "d" && (f.dateFrom || f.dateTo)) return undefined;
      const a = axes[dim];
      const cs = matching(f);
      const [lo, hi] = dim === "d" ? dayRange(f) : [0, a.buckets.length];
      if (hi <= lo) return undefined;
      // Rows walked before bucket i; the bucket holding row `offset` is the last one (in walk order) with
      // before(i) <= offset, which skips buckets this filter leaves empty.
      const before = (i: number) => (desc ? sum(a, cs, i + 1, hi) : sum(a, cs, lo, i));
      let left = lo;
      let right = hi - 1;
      if (desc) {
        // before() falls as i grows: the smallest i with before(i) <= offset.
        while (left < right) {
          const mid = (left + right) >>> 1;
          if (before(mid) <= offset) right = mid;
          else left = mid + 1;
        }
      } else {
        // before() grows with i: the largest i with before(i) <= offset.
        while (left < right) {
          const mid = Math.ceil((left + right) / 2);
          if (before(mid) <= offset) left = mid;
          else right = mid - 1;
        }
      }
      const i = left;
      const skipped = before(i);
      if (skipped > offset) return undefined;
      const bucket = a.buckets[i]!;
      return { from: boundOf(dim, bucket, desc), offset: offset - skipped };
    },
  };
}

/** The day rows and the corrections summed per month, status and priority (the trend's grid). */
function monthCells(rows: readonly RollupRow[], corrections: readonly Correction[]): MonthCell[] {
  const cells = new Map<string, MonthCell>();
  const monthOf = new Map<number, string>();
  const add = (day: number, status: string, priority: string, orders: number, cents: bigint) => {
    let month = monthOf.get(day);
    if (month === undefined) {
      month = isoDay(day).slice(0, 7);
      monthOf.set(day, month);
    }
    const id = `${month}\u0000${status}\u0000${priority}`;
    const cell = cells.get(id);
    if (cell) {
      cell.orders += orders;
      cell.cents += cents;
    } else cells.set(id, { month, status, priority, orders, cents });
  };
  for (const r of rows) if (r.dim === "d") add(r.bucket, r.status, r.priority, r.n, r.cents);
  for (const c of corrections) {
    add(c.day, c.synced, c.priority, -1, -c.cents);
    add(c.day, c.status, c.priority, 1, c.cents);
  }
  return [...cells.values()].filter((c) => c.orders !== 0);
}

/** The inclusive value of the sort's leading column where a walk into `bucket` starts. */
function boundOf(dim: Dim, bucket: number, desc: boolean): string | number {
  if (dim === "d") return isoDay(bucket);
  if (dim === "p")
    return desc ? ((bucket + 1) * PRICE_BUCKET - 0.01).toFixed(2) : String(bucket * PRICE_BUCKET);
  const size = 2 ** KEY_BUCKET_BITS;
  return desc ? (bucket + 1) * size - 1 : bucket * size;
}

/** First index whose value is >= x. */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
