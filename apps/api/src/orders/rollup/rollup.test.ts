import { describe, expect, it } from "vitest";
import type { OrderFilters, OrderSort } from "../schemas.ts";
import {
  buildFigures,
  type Correction,
  dayNumber,
  isoDay,
  KEY_BUCKET_BITS,
  PRICE_BUCKET,
  type RollupRow,
} from "./rollup.ts";

// The figures against brute force over the same orders: every count, stats split, day span and seek must be
// what scanning the rows would give.

interface Row {
  key: number;
  day: number;
  price: number;
  status: string;
  priority: string;
  /** The app's override, if any. */
  override?: string;
}

const STATUSES = ["F", "O", "P"];
const PRIORITIES = ["1-URGENT", "2-HIGH", "3-MEDIUM"];
const FIRST = dayNumber("1995-01-01");

function random(seed: number) {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    return s / 2 ** 32;
  };
}

/** Correlated like TPC-H: statuses sit in their own periods, prices and keys spread. */
function makeRows(n: number, seed: number): Row[] {
  const r = random(seed);
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const day = FIRST + Math.floor(r() * 120);
    const status = day < FIRST + 50 ? "F" : day < FIRST + 60 ? (r() < 0.5 ? "P" : "F") : "O";
    const row: Row = {
      key: 1 + i * 3 + Math.floor(r() * 3),
      day,
      price: (10_000 + Math.floor(r() * 60_000)) / 100,
      status,
      priority: PRIORITIES[Math.floor(r() * PRIORITIES.length)]!,
    };
    if (r() < 0.03) row.override = STATUSES[Math.floor(r() * 3)]!;
    rows.push(row);
  }
  return rows;
}

const cents = (r: Row) => BigInt(Math.round(r.price * 100));

function rollupOf(rows: Row[]): { rollup: RollupRow[]; corrections: Correction[] } {
  const cells = new Map<string, RollupRow>();
  const add = (dim: RollupRow["dim"], bucket: number, r: Row) => {
    const id = `${dim}|${bucket}|${r.status}|${r.priority}`;
    const cell = cells.get(id) ?? { dim, bucket, status: r.status, priority: r.priority, n: 0, cents: 0n };
    cell.n++;
    // As the rollup's SQL stores it: revenue on the day dimension only.
    if (dim === "d") cell.cents += cents(r);
    cells.set(id, cell);
  };
  const corrections: Correction[] = [];
  for (const r of rows) {
    add("d", r.day, r);
    add("p", Math.floor(r.price / PRICE_BUCKET), r);
    add("k", r.key >> KEY_BUCKET_BITS, r);
    if (r.override && r.override !== r.status) {
      corrections.push({
        day: r.day,
        priceBucket: Math.floor(r.price / PRICE_BUCKET),
        keyBucket: r.key >> KEY_BUCKET_BITS,
        priority: r.priority,
        synced: r.status,
        status: r.override,
        cents: cents(r),
      });
    }
  }
  return { rollup: [...cells.values()], corrections };
}

const effective = (r: Row) => r.override ?? r.status;
const matches = (r: Row, f: OrderFilters) =>
  (!f.status || effective(r) === f.status) &&
  (!f.priority || r.priority === f.priority) &&
  (!f.dateFrom || r.day >= dayNumber(f.dateFrom)) &&
  (!f.dateTo || r.day <= dayNumber(f.dateTo));

const SORT_VALUE: Record<string, (r: Row) => number> = {
  orderKey: (r) => r.key,
  orderDate: (r) => r.day,
  totalPrice: (r) => r.price,
};

function sorted(rows: Row[], sort: OrderSort): Row[] {
  const desc = sort.startsWith("-");
  const value = SORT_VALUE[desc ? sort.slice(1) : sort]!;
  return [...rows].sort((a, b) => (value(a) - value(b) || a.key - b.key) * (desc ? -1 : 1));
}

function filtersOf(r: () => number): OrderFilters {
  const f: OrderFilters = {};
  if (r() < 0.5) f.status = STATUSES[Math.floor(r() * 3)] as OrderFilters["status"];
  if (r() < 0.5) f.priority = PRIORITIES[Math.floor(r() * 3)] as OrderFilters["priority"];
  if (r() < 0.5) {
    const a = FIRST - 5 + Math.floor(r() * 130);
    const b = a + Math.floor(r() * 60);
    if (r() < 0.7) f.dateFrom = isoDay(a);
    if (r() < 0.7) f.dateTo = isoDay(b);
  }
  return f;
}

describe("rollup figures", () => {
  const rows = makeRows(6000, 7);
  const { rollup, corrections } = rollupOf(rows);
  const figures = buildFigures(rollup, corrections);
  const r = random(99);
  const cases = Array.from({ length: 300 }, () => filtersOf(r));

  it("months hold the orders and revenue of every month, overlaid status and priority, like a scan", () => {
    const expected = new Map<string, { orders: number; cents: bigint }>();
    for (const row of rows) {
      const id = `${isoDay(row.day).slice(0, 7)}|${effective(row)}|${row.priority}`;
      const cell = expected.get(id) ?? { orders: 0, cents: 0n };
      cell.orders++;
      cell.cents += cents(row);
      expected.set(id, cell);
    }
    const actual = new Map(
      figures
        .months()
        .map((c) => [`${c.month}|${c.status}|${c.priority}`, { orders: c.orders, cents: c.cents }]),
    );
    expect(actual).toEqual(expected);
    // Cells an override emptied are not kept.
    expect(figures.months().every((c) => c.orders > 0)).toBe(true);
  });

  it("count and stats equal a scan of the overlaid rows for any filter combination", () => {
    for (const f of cases) {
      const hits = rows.filter((row) => matches(row, f));
      expect(figures.count(f)).toBe(hits.length);
      const stats = figures.stats(f);
      expect(stats.totalOrders).toBe(hits.length);
      for (const s of STATUSES) {
        const n = hits.filter((h) => effective(h) === s).length;
        expect(stats.byStatus.find((b) => b.status === s)?.count ?? 0).toBe(n);
      }
      for (const p of PRIORITIES) {
        const n = hits.filter((h) => h.priority === p).length;
        expect(stats.byPriority.find((b) => b.priority === p)?.count ?? 0).toBe(n);
      }
      expect(stats.byStatus.every((b) => b.count > 0)).toBe(true);
    }
  });

  it("span holds every row of the synced status and priority in the dates, and is tight", () => {
    for (const f of cases) {
      const synced = rows.filter(
        (row) => matches({ ...row, override: undefined }, f) && (!f.status || row.status === f.status),
      );
      const span = figures.span(f);
      if (synced.length === 0) {
        expect(span).toBeNull();
        continue;
      }
      const days = synced.map((s) => s.day);
      expect(span).toEqual({ from: isoDay(Math.min(...days)), to: isoDay(Math.max(...days)) });
    }
  });

  it("seek points at the row of any offset in every sort: the walk from there, skipping `offset`, lands on it", () => {
    const sorts: OrderSort[] = [
      "orderKey",
      "-orderKey",
      "orderDate",
      "-orderDate",
      "totalPrice",
      "-totalPrice",
    ];
    for (const f of cases.slice(0, 80)) {
      for (const sort of sorts) {
        const list = sorted(
          rows.filter((row) => matches(row, f)),
          sort,
        );
        for (const offset of [0, 1, 17, Math.floor(list.length / 2), list.length - 1, list.length + 5]) {
          if (offset < 0) continue;
          const seek = figures.seek(sort, f, offset);
          const column = sort.replace("-", "");
          if (column !== "orderDate" && (f.dateFrom || f.dateTo)) {
            expect(seek).toBeUndefined();
            continue;
          }
          if (list.length === 0) continue;
          expect(seek).toBeDefined();
          const desc = sort.startsWith("-");
          const value = SORT_VALUE[column]!;
          const bound = column === "orderDate" ? dayNumber(String(seek!.from)) : Number(seek!.from);
          const walk = list.filter((row) => (desc ? value(row) <= bound : value(row) >= bound));
          expect(walk[seek!.offset]?.key).toBe(list[offset]?.key);
        }
      }
    }
  });
});
