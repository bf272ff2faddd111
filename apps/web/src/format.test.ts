import { describe, expect, it } from "vitest";
import { formatDate, formatMoney, formatPercent, statusLabel } from "./format.ts";

describe("formatMoney", () => {
  it("groups thousands and keeps two decimals from the decimal string", () => {
    expect(formatMoney("1234.5")).toBe("$1,234.50");
    expect(formatMoney("555285.16")).toBe("$555,285.16");
    expect(formatMoney("0.05")).toBe("$0.05");
    expect(formatMoney("12")).toBe("$12.00");
  });

  it("keeps every cent of amounts beyond float precision", () => {
    expect(formatMoney("12345678901234567.89")).toBe("$12,345,678,901,234,567.89");
  });

  it("returns text it cannot parse unchanged rather than NaN", () => {
    expect(formatMoney("n/a")).toBe("n/a");
  });
});

describe("formatDate", () => {
  it("shows the calendar date whatever the local time zone", () => {
    expect(formatDate("1996-01-02")).toBe("Jan 2, 1996");
    expect(formatDate("1998-12-31")).toBe("Dec 31, 1998");
  });
});

describe("labels", () => {
  it("names the TPC-H statuses and clamps percentages", () => {
    expect(statusLabel("F")).toBe("Fulfilled");
    expect(statusLabel("X")).toBe("X");
    expect(formatPercent(0.4567)).toBe("45.7%");
    expect(formatPercent(1.2)).toBe("100%");
  });
});
