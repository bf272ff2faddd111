import { describe, expect, it } from "vitest";
import {
  COMMENT_MAX_LENGTH,
  COMMENT_MIN_LENGTH,
  CURRENT_DATE,
  FIRST_ORDER_DATE,
  generateOrders,
  LAST_ORDER_DATE,
  ORDER_PRIORITIES,
  type OrderRow,
  orderKeyForIndex,
  scaleFactorForRows,
} from "./orders-generator.ts";

const SAMPLE = 20_000;
const sample: OrderRow[] = [...generateOrders({ rows: SAMPLE, seed: 7 })];

describe("generateOrders determinism", () => {
  it("gives the same rows for the same seed", () => {
    expect([...generateOrders({ rows: 500, seed: 7 })]).toEqual(sample.slice(0, 500));
  });

  it("gives the same rows when generated in chunks as in one go", () => {
    const chunked: OrderRow[] = [];
    for (const [start, rows] of [
      [0, 1],
      [1, 999],
      [1000, 3333],
      [4333, 5667],
    ] as const) {
      chunked.push(...generateOrders({ rows, start, seed: 7 }));
    }
    expect(chunked).toEqual(sample.slice(0, 10_000));
  });

  it("keeps a row's values when only a chunk of a multi-scale-factor table is generated", () => {
    const whole = [...generateOrders({ rows: 3, start: 2_999_997, seed: 7 })];
    const chunk = [...generateOrders({ rows: 3, start: 2_999_997, seed: 7, totalRows: 3_000_000 })];
    expect(chunk).toEqual(whole);
    // The default table size of a small chunk is one scale factor: domains shrink, keys stay.
    const small = [...generateOrders({ rows: 3, start: 2_999_997, seed: 7, totalRows: 1000 })];
    expect(small.map((r) => r.orderKey)).toEqual(whole.map((r) => r.orderKey));
  });

  it("gives different rows for a different seed", () => {
    const other = [...generateOrders({ rows: 1000, seed: 8 })];
    const same = other.filter((row, i) => JSON.stringify(row) === JSON.stringify(sample[i]));
    expect(same).toHaveLength(0);
    expect(other.map((r) => r.orderKey)).toEqual(sample.slice(0, 1000).map((r) => r.orderKey));
  });

  it("rejects a negative or fractional count", () => {
    expect(() => [...generateOrders({ rows: -1 })]).toThrow(RangeError);
    expect(() => [...generateOrders({ rows: 1.5 })]).toThrow(RangeError);
    expect(() => [...generateOrders({ rows: 1, start: -3 })]).toThrow(RangeError);
  });
});

describe("orderKeyForIndex", () => {
  it("uses the first 8 keys of every 32", () => {
    expect([0, 1, 7, 8, 9, 15, 16].map(orderKeyForIndex)).toEqual([1, 2, 8, 33, 34, 40, 65]);
    const keys = sample.map((r) => r.orderKey);
    expect(keys).toEqual(keys.map((_, i) => orderKeyForIndex(i)));
    for (const key of keys) expect((key - 1) % 32).toBeLessThan(8);
    expect(new Set(keys).size).toBe(keys.length);
    // The brief's mapping (1..8, 33..40, ...); dbgen's own starts 1..7, 32..39 and ends SF1 at 6,000,000.
    expect(orderKeyForIndex(ROWS_AT_SF1 - 1)).toBe(5_999_976);
  });
});

const ROWS_AT_SF1 = 1_500_000;

describe("value domains (TPC-H ORDERS)", () => {
  it("scale factor is rows / 1.5M rounded up, at least 1", () => {
    expect([1, ROWS_AT_SF1, ROWS_AT_SF1 + 1, 15_000_000].map(scaleFactorForRows)).toEqual([1, 1, 2, 10]);
  });

  it("draws customers in [1, 150000 * SF] and never a multiple of 3", () => {
    for (const row of sample) {
      expect(row.custKey % 3).not.toBe(0);
      expect(row.custKey).toBeGreaterThanOrEqual(1);
      expect(row.custKey).toBeLessThanOrEqual(150_000);
    }
    // Both residues (1 and 2 mod 3) and the whole range are used.
    expect(sample.some((r) => r.custKey % 3 === 1) && sample.some((r) => r.custKey % 3 === 2)).toBe(true);
    expect(Math.max(...sample.map((r) => r.custKey))).toBeGreaterThan(145_000);
    const big = [...generateOrders({ rows: 2000, start: 0, totalRows: 10 * ROWS_AT_SF1 })];
    expect(Math.max(...big.map((r) => r.custKey))).toBeGreaterThan(150_000);
  });

  it("dates orders from 1992-01-01 to 1998-08-02, spread over the whole range", () => {
    const dates = sample.map((r) => r.orderDate);
    for (const date of dates) {
      expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(date >= FIRST_ORDER_DATE && date <= LAST_ORDER_DATE).toBe(true);
    }
    const sorted = [...dates].sort();
    expect(sorted[0]! < "1992-01-15").toBe(true);
    expect(sorted.at(-1)! > "1998-07-15").toBe(true);
  });

  it("has the TPC-H status proportions (~48.7% F, ~48.8% O, ~2.5% P)", () => {
    const share = (s: string) => sample.filter((r) => r.orderStatus === s).length / SAMPLE;
    expect(share("F")).toBeGreaterThan(0.465);
    expect(share("F")).toBeLessThan(0.51);
    expect(share("O")).toBeGreaterThan(0.465);
    expect(share("O")).toBeLessThan(0.51);
    expect(share("P")).toBeGreaterThan(0.018);
    expect(share("P")).toBeLessThan(0.033);
  });

  it("status follows the shipping window: F long before the current date, O after it", () => {
    for (const row of sample) {
      // Every lineitem ships 1..121 days after the order.
      if (row.orderDate > CURRENT_DATE) expect(row.orderStatus).toBe("O");
      if (row.orderDate < "1995-02-16") expect(row.orderStatus).toBe("F");
    }
  });

  it("prices orders as the sum of 1..7 simulated lineitems, with two decimals", () => {
    const prices = sample.map((r) => Number(r.totalPrice));
    for (const row of sample) expect(row.totalPrice).toMatch(/^[1-9]\d*\.\d{2}$/);
    // One lineitem: >= 1 * 901.00 * 0.90; seven: <= 7 * 50 * 2099.00 * 1.08 (retail price formula bounds).
    expect(Math.min(...prices)).toBeGreaterThanOrEqual(810.9);
    expect(Math.max(...prices)).toBeLessThanOrEqual(793_422);
    const mean = prices.reduce((a, b) => a + b, 0) / prices.length;
    // TPC-H SF1 mean o_totalprice is about 151,000.
    expect(mean).toBeGreaterThan(140_000);
    expect(mean).toBeLessThan(162_000);
  });

  it("uses the five priorities uniformly, clerk numbers in [1, 1000 * SF], ship priority 0", () => {
    const counts = new Map<string, number>();
    for (const row of sample) {
      counts.set(row.orderPriority, (counts.get(row.orderPriority) ?? 0) + 1);
      expect(row.clerk).toMatch(/^Clerk#\d{9}$/);
      const clerk = Number(row.clerk.slice(6));
      expect(clerk).toBeGreaterThanOrEqual(1);
      expect(clerk).toBeLessThanOrEqual(1000);
      expect(row.shipPriority).toBe(0);
    }
    expect([...counts.keys()].sort()).toEqual([...ORDER_PRIORITIES]);
    for (const count of counts.values()) expect(Math.abs(count / SAMPLE - 0.2)).toBeLessThan(0.02);
  });

  it("writes 19..78 character comments of words, safe for COPY text", () => {
    const lengths = sample.map((r) => r.comment.length);
    expect(Math.min(...lengths)).toBe(COMMENT_MIN_LENGTH);
    expect(Math.max(...lengths)).toBe(COMMENT_MAX_LENGTH);
    for (const row of sample) {
      expect(row.comment).toMatch(/^[a-z][a-z .-]*[a-z.-]$/);
      expect(row.comment).not.toMatch(/\s{2}/);
    }
  });
});
