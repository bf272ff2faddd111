// Numbers, money and dates for people, in a locale (the browser's: see locale.ts). The data's currency is
// USD whatever the locale; only how amounts and dates are written changes. Values sent to the API (filters,
// sorts) never go through here, so formatting cannot change what is asked for.

/** The locale of the HTML prerendered at build time, and of anything rendered before hydration ends. */
export const NEUTRAL_LOCALE = "en-US";

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function cached<F extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => F): F {
  let format = cache.get(key) as F | undefined;
  if (!format) {
    format = make();
    cache.set(key, format);
  }
  return format;
}

const money = (locale: string) =>
  cached(`money:${locale}`, () => new Intl.NumberFormat(locale, { style: "currency", currency: "USD" }));
const compactMoney = (locale: string) =>
  cached(
    `money-compact:${locale}`,
    () => new Intl.NumberFormat(locale, { style: "currency", currency: "USD", notation: "compact" }),
  );
const integer = (locale: string) => cached(`int:${locale}`, () => new Intl.NumberFormat(locale));
const date = (locale: string) =>
  cached(`date:${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }));
const month = (locale: string) =>
  cached(
    `month:${locale}`,
    () => new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", timeZone: "UTC" }),
  );
const dateTime = (locale: string) =>
  cached(
    `datetime:${locale}`,
    () =>
      new Intl.DateTimeFormat(locale, {
        year: "numeric",
        month: "short",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      }),
  );

const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/**
 * A decimal string such as "1234.5" as money in the locale ("$1,234.50", "1.234,50 $"). The string goes to
 * Intl as it is (exact decimal formatting), not through a float, so large amounts keep every cent.
 */
export function formatMoney(decimal: string, locale = NEUTRAL_LOCALE): string {
  const value = decimal.trim();
  if (!DECIMAL.test(value)) return decimal;
  return money(locale).format(value as Intl.StringNumericLiteral);
}

/** A "YYYY-MM-DD" calendar date, without shifting it through the local time zone. */
export function formatDate(isoDate: string, locale = NEUTRAL_LOCALE): string {
  const time = Date.parse(`${isoDate}T00:00:00Z`);
  return Number.isNaN(time) ? isoDate : date(locale).format(time);
}

/** A "YYYY-MM" month, e.g. "Mar 1995". */
export function formatMonth(isoMonth: string, locale = NEUTRAL_LOCALE): string {
  const time = Date.parse(`${isoMonth}-01T00:00:00Z`);
  return Number.isNaN(time) ? isoMonth : month(locale).format(time);
}

export function formatDateTime(iso: string | null | undefined, locale = NEUTRAL_LOCALE): string {
  if (!iso) return "—";
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : dateTime(locale).format(time);
}

export function formatInteger(value: number, locale = NEUTRAL_LOCALE): string {
  return integer(locale).format(value);
}

export function formatPercent(fraction: number): string {
  return `${Math.round(Math.max(0, Math.min(1, fraction)) * 1000) / 10}%`;
}

/** The formatters of one locale, as components use them (`useFormat()`). */
export interface Format {
  locale: string;
  money(decimal: string): string;
  /** An amount in a few characters ("$2.9B", "2,9 Mrd. $"), for chart axes. */
  moneyCompact(amount: number): string;
  date(isoDate: string): string;
  month(isoMonth: string): string;
  dateTime(iso: string | null | undefined): string;
  integer(value: number): string;
}

export function formatFor(locale: string): Format {
  return {
    locale,
    money: (d) => formatMoney(d, locale),
    moneyCompact: (n) => compactMoney(locale).format(n),
    date: (d) => formatDate(d, locale),
    month: (m) => formatMonth(m, locale),
    dateTime: (d) => formatDateTime(d, locale),
    integer: (n) => formatInteger(n, locale),
  };
}
