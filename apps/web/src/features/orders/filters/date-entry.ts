import { isIsoDate } from "../search/search.ts";

/**
 * The dates the API accepts (its `DATE_RANGE`, apps/api/src/orders/schemas.ts): real calendar dates that
 * PostgreSQL compares, far around the TPC-H years 1992-1998.
 */
export const DATE_BOUNDS = { min: "1900-01-01", max: "2199-12-31" } as const;

/**
 * What a date field holds while the user types or picks: only a complete date is sent. A browser's date
 * field reports every step of typing "03151994" as a valid value (0001-03-15, 0019-03-15, 0199-03-15, then
 * 1994-03-15), so a year before 1000 is a year still being typed, not a date; and a cleared field differs
 * from a half-typed one (empty value, but `validity.badInput`).
 */
export type DateEntry =
  | { kind: "empty" }
  | { kind: "typing" }
  | { kind: "out-of-range"; value: string }
  | { kind: "complete"; value: string };

export function readDateEntry(value: string, badInput: boolean): DateEntry {
  if (value === "") return badInput ? { kind: "typing" } : { kind: "empty" };
  if (!isIsoDate(value) || value < "1000") return { kind: "typing" };
  if (value < DATE_BOUNDS.min || value > DATE_BOUNDS.max) return { kind: "out-of-range", value };
  return { kind: "complete", value };
}

/** Why a field's content is not applied, once the user has left it (null when it is applied). */
export function entryProblem(entry: DateEntry, formatDate: (iso: string) => string): string | null {
  if (entry.kind === "typing")
    return "Not applied: type the month, the day and a four-digit year, or pick a date.";
  if (entry.kind === "out-of-range")
    return `Not applied: choose a date from ${formatDate(DATE_BOUNDS.min)} to ${formatDate(DATE_BOUNDS.max)}.`;
  return null;
}
