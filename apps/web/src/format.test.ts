import { describe, expect, it } from "vitest";
import { formatDate, formatFor, formatInteger, formatMoney, formatMonth, formatPercent } from "./format.ts";

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

describe("formatPercent", () => {
  it("clamps percentages", () => {
    expect(formatPercent(0.4567)).toBe("45.7%");
    expect(formatPercent(1.2)).toBe("100%");
  });
});

describe("in the browser's locale", () => {
  it("writes money as the locale does, in USD, exactly", () => {
    expect(formatMoney("1234.5", "de-DE")).toBe("1.234,50\u00a0$");
    expect(formatMoney("12345678901234567.89", "fr-FR")).toBe(
      "12\u202f345\u202f678\u202f901\u202f234\u202f567,89\u00a0$US",
    );
    expect(formatMoney("1234.5", "en-GB")).toBe("US$1,234.50");
    expect(formatMoney("-3", "en-US")).toBe("-$3.00");
  });

  it("writes dates, months and integers as the locale does, the calendar date kept", () => {
    expect(formatDate("1996-01-02", "de-DE")).toBe("02.01.1996");
    expect(formatDate("1996-01-02", "ja-JP")).toBe("1996/01/02");
    expect(formatMonth("1995-03", "en-US")).toBe("Mar 1995");
    expect(formatMonth("1995-03", "de-DE")).toBe("März 1995");
    expect(formatInteger(1500000, "de-DE")).toBe("1.500.000");
    expect(formatInteger(1500000, "hi-IN")).toBe("15,00,000");
  });

  it("binds one locale's formatters together", () => {
    const f = formatFor("de-DE");
    expect(f.locale).toBe("de-DE");
    expect(f.money("0.05")).toBe("0,05\u00a0$");
    expect(f.integer(1234)).toBe("1.234");
  });
});
