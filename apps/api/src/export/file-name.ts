import type { OrderFilters, OrderSort } from "../orders/schemas.ts";

const DEFAULT_SORT: OrderSort = "orderKey";

/**
 * The download's name says what it holds: `orders_status-F_priority-1-URGENT_1995-01-01_to_1995-03-31
 * _by-totalPrice-desc.csv`, or `orders_all.csv`. Letters, digits, dots, dashes and underscores only, so the
 * name needs no encoding in Content-Disposition and is a valid file name everywhere.
 */
export function exportFileName(filters: OrderFilters, sort: OrderSort): string {
  const parts = ["orders"];
  if (filters.status) parts.push(`status-${filters.status}`);
  if (filters.priority) parts.push(`priority-${filters.priority}`);
  if (filters.dateFrom && filters.dateTo) parts.push(`${filters.dateFrom}_to_${filters.dateTo}`);
  else if (filters.dateFrom) parts.push(`from-${filters.dateFrom}`);
  else if (filters.dateTo) parts.push(`to-${filters.dateTo}`);
  if (parts.length === 1) parts.push("all");
  if (sort !== DEFAULT_SORT) {
    parts.push(sort.startsWith("-") ? `by-${sort.slice(1)}-desc` : `by-${sort}`);
  }
  return `${parts.map((p) => p.replace(/[^A-Za-z0-9._-]+/g, "-")).join("_")}.csv`;
}
