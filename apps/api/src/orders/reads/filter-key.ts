import type { OrderFilters } from "../schemas.ts";

/** Cache key of a filter combination. */
export function filterKey(f: OrderFilters): string {
  return `${f.status ?? ""}|${f.priority ?? ""}|${f.dateFrom ?? ""}|${f.dateTo ?? ""}`;
}
