import { VIEW_ID_PATTERN } from "@lakebase-orders/shared";
import {
  ORDER_COLUMNS,
  ORDER_PRIORITIES,
  ORDER_SORTS,
  ORDER_STATUSES,
  type OrderColumn,
  type OrderFilters,
  type OrderPriority,
  type OrderSort,
  type OrderStatus,
  TREND_SPLITS,
  type TrendSplit,
  type ViewSearch,
} from "../../../api-types.ts";

export const PAGE_SIZES = [25, 50, 100, 250] as const;
export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_SORT: OrderSort = "orderKey";

export type ViewMode = "pages" | "scroll";
export type Density = "comfortable" | "compact";
export const DEFAULT_COLUMNS: readonly OrderColumn[] = ORDER_COLUMNS;

/**
 * The orders screen's whole state, as it lives in the URL. Defaults are left out (undefined) so a
 * shared link stays short and a reload restores exactly what the user saw.
 */
export interface OrdersSearch {
  mode?: "scroll";
  page?: number;
  pageSize?: number;
  status?: OrderStatus;
  priority?: OrderPriority;
  dateFrom?: string;
  dateTo?: string;
  sort?: OrderSort;
  /** The order whose detail panel is open. */
  order?: number;
  /** Visible columns in their order, comma-separated ("orderKey,totalPrice,status"); all when absent. */
  cols?: string;
  density?: "compact";
  /** The trend chart is open, split this way. */
  trend?: TrendSplit;
  /** A saved view's id (a shared link): the screen opens it, then drops the id. */
  view?: string;
}

export type FilterKey = keyof OrderFilters;

function oneOf<T extends string>(values: readonly T[], raw: unknown): T | undefined {
  return typeof raw === "string" && (values as readonly string[]).includes(raw) ? (raw as T) : undefined;
}

function positiveInt(raw: unknown, max: number): number | undefined {
  const value = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : Number.NaN;
  return Number.isSafeInteger(value) && value >= 1 && value <= max ? value : undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Known columns only, each once, in the given order; undefined when none is left. */
export function parseColumns(raw: unknown): OrderColumn[] | undefined {
  if (typeof raw !== "string") return undefined;
  const known = raw
    .split(",")
    .filter((c): c is OrderColumn => (ORDER_COLUMNS as readonly string[]).includes(c));
  const unique = [...new Set(known)];
  return unique.length > 0 ? unique : undefined;
}

/** The URL form of a column list: absent for the default columns in the default order. */
export function columnsParam(columns: readonly OrderColumn[] | undefined): string | undefined {
  if (!columns || columns.length === 0) return undefined;
  const joined = columns.join(",");
  return joined === DEFAULT_COLUMNS.join(",") ? undefined : joined;
}

export function isIsoDate(raw: unknown): raw is string {
  if (typeof raw !== "string" || !ISO_DATE.test(raw)) return false;
  const time = Date.parse(`${raw}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(raw);
}

/**
 * Validates untrusted search params (a hand-edited or stale link): anything invalid is dropped rather
 * than sent to the API, so a bad link shows the default view instead of an error.
 */
export function validateOrdersSearch(raw: Record<string, unknown>): OrdersSearch {
  // Every key is set, to undefined when invalid: the router merges the result over the raw params, so a
  // key left out would let the unvalidated value through.
  const search: OrdersSearch = {
    mode: undefined,
    page: undefined,
    pageSize: undefined,
    status: undefined,
    priority: undefined,
    dateFrom: undefined,
    dateTo: undefined,
    sort: undefined,
    order: undefined,
    cols: undefined,
    density: undefined,
    trend: undefined,
    view: undefined,
  };
  if (raw.mode === "scroll") search.mode = "scroll";
  const page = positiveInt(raw.page, 10_000_000);
  if (page !== undefined && page > 1) search.page = page;
  const pageSize = positiveInt(raw.pageSize, 1000);
  if (pageSize !== undefined && pageSize !== DEFAULT_PAGE_SIZE) search.pageSize = pageSize;
  const status = oneOf(ORDER_STATUSES, raw.status);
  if (status) search.status = status;
  const priority = oneOf(ORDER_PRIORITIES, raw.priority);
  if (priority) search.priority = priority;
  const dateFrom = isIsoDate(raw.dateFrom) ? raw.dateFrom : undefined;
  const dateTo = isIsoDate(raw.dateTo) ? raw.dateTo : undefined;
  if (dateFrom) search.dateFrom = dateFrom;
  // An inverted range stays: the screen explains it beside the dates (and asks the API nothing) rather than
  // silently dropping what the user typed.
  if (dateTo) search.dateTo = dateTo;
  const sort = oneOf(ORDER_SORTS, raw.sort);
  if (sort && sort !== DEFAULT_SORT) search.sort = sort;
  const order = positiveInt(raw.order, Number.MAX_SAFE_INTEGER);
  if (order !== undefined) search.order = order;
  const cols = columnsParam(parseColumns(raw.cols));
  if (cols) search.cols = cols;
  if (raw.density === "compact") search.density = "compact";
  const trend = oneOf(TREND_SPLITS, raw.trend);
  if (trend) search.trend = trend;
  if (typeof raw.view === "string" && VIEW_ID_PATTERN.test(raw.view)) search.view = raw.view;
  return search;
}

/** "To" before "From": no order can match, and the API would refuse the range. */
export function isInvertedRange({
  dateFrom,
  dateTo,
}: {
  dateFrom?: string | undefined;
  dateTo?: string | undefined;
}) {
  return Boolean(dateFrom && dateTo && dateFrom > dateTo);
}

/** What the screen shows, with the defaults filled in. */
export interface OrdersView {
  mode: ViewMode;
  page: number;
  pageSize: number;
  /** The stream walks in key order, so scroll mode always shows key order. */
  sort: OrderSort;
  filters: OrderFilters;
  hasFilters: boolean;
  order: number | undefined;
  /** Visible columns, in order. */
  columns: readonly OrderColumn[];
  density: Density;
  trend: TrendSplit | undefined;
}

export function viewOf(search: OrdersSearch): OrdersView {
  const filters: OrderFilters = {};
  if (search.status) filters.status = search.status;
  if (search.priority) filters.priority = search.priority;
  if (search.dateFrom) filters.dateFrom = search.dateFrom;
  if (search.dateTo) filters.dateTo = search.dateTo;
  const mode = search.mode === "scroll" ? "scroll" : "pages";
  return {
    mode,
    page: search.page ?? 1,
    pageSize: search.pageSize ?? DEFAULT_PAGE_SIZE,
    sort: mode === "scroll" ? DEFAULT_SORT : (search.sort ?? DEFAULT_SORT),
    filters,
    hasFilters: Object.keys(filters).length > 0,
    order: search.order,
    columns: parseColumns(search.cols) ?? DEFAULT_COLUMNS,
    density: search.density ?? "comfortable",
    trend: search.trend,
  };
}

/** The first and last day of a "YYYY-MM" month. */
export function monthBounds(month: string): { dateFrom: string; dateTo: string } {
  const [year, m] = month.split("-").map(Number) as [number, number];
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return { dateFrom: `${month}-01`, dateTo: `${month}-${String(last).padStart(2, "0")}` };
}

/** What a saved view keeps of the URL state (filters, sort, columns, density, paging). */
export function toViewSearch(search: OrdersSearch): ViewSearch {
  const view: ViewSearch = {};
  if (search.mode) view.mode = search.mode;
  if (search.pageSize) view.pageSize = search.pageSize;
  if (search.status) view.status = search.status;
  if (search.priority) view.priority = search.priority;
  if (search.dateFrom) view.dateFrom = search.dateFrom;
  if (search.dateTo) view.dateTo = search.dateTo;
  if (search.sort) view.sort = search.sort;
  const cols = parseColumns(search.cols);
  if (cols && columnsParam(cols)) view.cols = cols;
  if (search.density) view.density = search.density;
  return view;
}

/** A saved view as URL state, through the same validation as a typed-in link. */
export function fromViewSearch(view: ViewSearch): OrdersSearch {
  const { cols, ...rest } = view;
  const raw: Record<string, unknown> = { ...rest };
  if (cols) raw.cols = cols.join(",");
  return compact(validateOrdersSearch(raw));
}

/** The search without its undefined keys (what a navigation writes). */
function compact(search: OrdersSearch): OrdersSearch {
  return Object.fromEntries(Object.entries(search).filter(([, v]) => v !== undefined)) as OrdersSearch;
}

/** `search` with `key` set, or removed when `value` is undefined or the default. */
function withKey<K extends keyof OrdersSearch>(
  search: OrdersSearch,
  key: K,
  value: OrdersSearch[K] | undefined,
): OrdersSearch {
  const next: OrdersSearch = { ...search };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

/**
 * Every change the orders screen makes to its URL state, as pure functions. Anything that changes which
 * rows match (filters, sort, page size, mode) goes back to page 1: later pages would no longer apply.
 */
export const transitions = {
  setFilter<K extends FilterKey>(search: OrdersSearch, key: K, value: OrderFilters[K] | undefined) {
    return withKey(withKey(search, key, value || undefined), "page", undefined);
  },
  clearFilters(search: OrdersSearch): OrdersSearch {
    const { status: _s, priority: _p, dateFrom: _f, dateTo: _t, page: _page, ...rest } = search;
    return rest;
  },
  /** Only the filters and the page go; the mode and the sort the user chose stay. */
  setSort(search: OrdersSearch, sort: OrderSort): OrdersSearch {
    return withKey(withKey(search, "sort", sort === DEFAULT_SORT ? undefined : sort), "page", undefined);
  },
  goToPage(search: OrdersSearch, page: number): OrdersSearch {
    return withKey(search, "page", page > 1 ? page : undefined);
  },
  setPageSize(search: OrdersSearch, pageSize: number): OrdersSearch {
    const size = pageSize === DEFAULT_PAGE_SIZE ? undefined : pageSize;
    return withKey(withKey(search, "pageSize", size), "page", undefined);
  },
  switchMode(search: OrdersSearch, mode: ViewMode): OrdersSearch {
    return withKey(withKey(search, "mode", mode === "scroll" ? "scroll" : undefined), "page", undefined);
  },
  openOrder(search: OrdersSearch, orderKey: number): OrdersSearch {
    return withKey(search, "order", orderKey);
  },
  closeOrder(search: OrdersSearch): OrdersSearch {
    return withKey(search, "order", undefined);
  },
  /** Back to everything, keeping only how the user looks at it (mode, sort, columns, density, trend). */
  resetView(search: OrdersSearch): OrdersSearch {
    const next: OrdersSearch = {};
    if (search.mode) next.mode = search.mode;
    if (search.sort) next.sort = search.sort;
    if (search.cols) next.cols = search.cols;
    if (search.density) next.density = search.density;
    if (search.trend) next.trend = search.trend;
    return next;
  },
  /** Which columns show, in which order (the rows stay: same page). */
  setColumns(search: OrdersSearch, columns: readonly OrderColumn[]): OrdersSearch {
    return withKey(search, "cols", columnsParam(columns));
  },
  setDensity(search: OrdersSearch, density: Density): OrdersSearch {
    return withKey(search, "density", density === "compact" ? "compact" : undefined);
  },
  /** Opens the trend split this way, or closes it (undefined). */
  showTrend(search: OrdersSearch, split: TrendSplit | undefined): OrdersSearch {
    return withKey(search, "trend", split);
  },
  /** An inverted range put the right way round. */
  swapDates(search: OrdersSearch): OrdersSearch {
    const { dateFrom, dateTo } = search;
    return withKey(withKey(withKey(search, "dateFrom", dateTo), "dateTo", dateFrom), "page", undefined);
  },
  /** The orders of one month ("YYYY-MM"): the date filters set to its first and last day. */
  filterMonth(search: OrdersSearch, month: string): OrdersSearch {
    const { dateFrom, dateTo } = monthBounds(month);
    return withKey(withKey(withKey(search, "dateFrom", dateFrom), "dateTo", dateTo), "page", undefined);
  },
  /** A saved view replaces the filters, sort, columns and paging; the open trend and order stay. */
  applyView(search: OrdersSearch, view: ViewSearch): OrdersSearch {
    const next = fromViewSearch(view);
    if (search.trend) next.trend = search.trend;
    if (search.order !== undefined) next.order = search.order;
    return next;
  },
  /** Drops a shared view's id once it has been opened (or could not be). */
  forgetViewLink(search: OrdersSearch): OrdersSearch {
    return withKey(search, "view", undefined);
  },
} as const;
