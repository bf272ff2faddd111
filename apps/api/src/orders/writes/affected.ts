import type { OrderChange } from "./change-log.ts";

// Which cached figures a status change makes wrong, so that only those are forgotten (issue 25, issue 26
// item 3). Cached counts and stats are keyed by their filters (reads/filter-key.ts:
// `status|priority|dateFrom|dateTo`, empty when absent).

interface KeyFilters {
  status: string;
  priority: string;
  dateFrom: string;
  dateTo: string;
}

function parse(key: string): KeyFilters {
  // A signed-in user's figures (reads as the user) are kept under `as:<user>|` before their filters.
  const filters = key.startsWith("as:") ? key.slice(key.indexOf("|") + 1) : key;
  const [status = "", priority = "", dateFrom = "", dateTo = ""] = filters.split("|");
  return { status, priority, dateFrom, dateTo };
}

/** The order is among the rows the filters' priority and dates select (whatever its status). */
function inScope(change: OrderChange, f: KeyFilters): boolean {
  return (
    (f.priority === "" || f.priority === change.priority) &&
    (f.dateFrom === "" || change.orderDate >= f.dateFrom) &&
    (f.dateTo === "" || change.orderDate <= f.dateTo)
  );
}

/** A count moves only when it filters on the status the order left or took. */
export function movesCount(change: OrderChange, key: string): boolean {
  if (change.status === change.previousStatus) return false;
  const f = parse(key);
  return (f.status === change.status || f.status === change.previousStatus) && inScope(change, f);
}

/** Stats split by status: they move for every filter that selects the order before or after. */
export function movesStats(change: OrderChange, key: string): boolean {
  if (change.status === change.previousStatus) return false;
  const f = parse(key);
  return (
    (f.status === "" || f.status === change.status || f.status === change.previousStatus) &&
    inScope(change, f)
  );
}
