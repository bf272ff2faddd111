const dateFormat = new Intl.DateTimeFormat("en-US", {
  year: "numeric",
  month: "short",
  day: "numeric",
  timeZone: "UTC",
});

const dateTimeFormat = new Intl.DateTimeFormat("en-US", {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

const integerFormat = new Intl.NumberFormat("en-US");

/**
 * Formats a decimal string such as "1234.5" as "$1,234.50". Works on the digits, not on a float, so
 * large amounts keep every cent.
 */
export function formatMoney(decimal: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) return decimal;
  const [, sign = "", whole = "0", fraction = ""] = match;
  const grouped = whole.replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cents = `${fraction}00`.slice(0, 2);
  return `${sign}$${grouped}.${cents}`;
}

/** Formats a "YYYY-MM-DD" calendar date without shifting it through the local time zone. */
export function formatDate(isoDate: string): string {
  const time = Date.parse(`${isoDate}T00:00:00Z`);
  return Number.isNaN(time) ? isoDate : dateFormat.format(time);
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : dateTimeFormat.format(time);
}

export function formatInteger(value: number): string {
  return integerFormat.format(value);
}

export function formatPercent(fraction: number): string {
  return `${Math.round(Math.max(0, Math.min(1, fraction)) * 1000) / 10}%`;
}

export const STATUS_LABELS: Readonly<Record<string, string>> = {
  F: "Fulfilled",
  O: "Open",
  P: "Partial",
};

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}
