import { ORDER_COLUMNS, ORDER_PRIORITIES, ORDER_SORTS, ORDER_STATUSES } from "@lakebase-orders/shared";
import { z } from "zod";

export { ORDER_PRIORITIES, ORDER_SORTS, ORDER_STATUSES };

export const orderStatus = z.enum(ORDER_STATUSES);
export const orderPriority = z.enum(ORDER_PRIORITIES);
export const orderSort = z.enum(ORDER_SORTS);
export type OrderStatusCode = z.infer<typeof orderStatus>;
export type OrderPriority = z.infer<typeof orderPriority>;
export type OrderSort = z.infer<typeof orderSort>;

/** Order keys are bigint in Postgres but TPC-H keys stay far below 2^53: plain JSON numbers on the wire. */
const orderKey = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** Rows per page, for every paged read (and what a saved view may keep). */
export const pageSizeBound = z.number().int().min(1).max(1000);
const pageSize = pageSizeBound.default(100);
/** Real calendar dates PostgreSQL can compare with (it has no year 0, for one); TPC-H dates are 1992-1998. */
export const DATE_RANGE = { min: "1900-01-01", max: "2199-12-31" } as const;
// ISO dates of four-digit years compare correctly as strings.
export const orderDate = z.iso.date().refine((d) => d >= DATE_RANGE.min && d <= DATE_RANGE.max, {
  message: `must be a date from ${DATE_RANGE.min} to ${DATE_RANGE.max}`,
});

const filterShape = {
  status: orderStatus.optional(),
  priority: orderPriority.optional(),
  dateFrom: orderDate.optional(),
  dateTo: orderDate.optional(),
};

interface DateRange {
  dateFrom?: string | undefined;
  dateTo?: string | undefined;
}

// ISO dates compare correctly as strings; the issue sits on dateFrom so it shows up in fieldErrors.
export const dateOrder = {
  check: (v: DateRange) => !(v.dateFrom && v.dateTo && v.dateFrom > v.dateTo),
  params: { message: "dateFrom must be on or before dateTo", path: ["dateFrom"] },
};

export const orderFiltersInput = z.object(filterShape).refine(dateOrder.check, dateOrder.params);

/** Columns chosen from the order's fields, in their order: at least one, none twice. */
export const orderColumns = z
  .array(z.enum(ORDER_COLUMNS))
  .min(1)
  .max(ORDER_COLUMNS.length)
  .refine((c) => new Set(c).size === c.length, "columns must not repeat");
export type OrderFilters = z.infer<typeof orderFiltersInput>;

export const listInput = z
  .object({
    ...filterShape,
    page: z.number().int().min(1).max(10_000_000).default(1),
    pageSize,
    includeCount: z.boolean().default(true),
    sort: orderSort.default("orderKey"),
  })
  .refine(dateOrder.check, dateOrder.params);
export type ListInput = z.infer<typeof listInput>;

// Not strict: tRPC's infinite queries add `cursor` and `direction` (and may add more in future versions).
export const streamInput = z
  .object({
    ...filterShape,
    // Exclusive: 0 (below every key) is as good as absent.
    cursor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
    pageSize,
    direction: z.enum(["forward", "backward"]).default("forward"),
  })
  .refine(dateOrder.check, dateOrder.params);
export type StreamInput = z.infer<typeof streamInput>;

export const byKeyInput = z.object({ orderKey });

export const updateStatusInput = z.object({
  orderKey,
  status: orderStatus,
  /** When given, the change applies only if the current status is still this one (else CONFLICT). */
  expectedStatus: z.string().min(1).max(32).optional(),
});
export type UpdateStatusInput = z.infer<typeof updateStatusInput>;

export interface Order {
  orderKey: number;
  custKey: number;
  /** The latest status: an app-side change (app_data.order_status) overrides the synced value. */
  status: string;
  /** numeric(18,2) as text, e.g. "1234.56": no float rounding on the wire. */
  totalPrice: string;
  /** YYYY-MM-DD */
  orderDate: string;
  priority: string;
  clerk: string;
  shipPriority: number;
  comment: string;
}

export interface ListOutput {
  orders: Order[];
  pagination: {
    page: number;
    pageSize: number;
    hasNext: boolean;
    hasPrevious: boolean;
    totalCount: number | null;
    totalPages: number | null;
  };
}

export interface StreamOutput {
  orders: Order[];
  pagination: {
    /** Pass back as `cursor` (with the same `direction`) for the next page; null at the end. */
    nextCursor: number | null;
    hasNext: boolean;
  };
}

export interface CountOutput {
  totalOrders: number;
  /** The count is exact for the synced table as it was at this time (ISO 8601). */
  computedAt: string;
  /** The synced table has changed since `computedAt` and the figures are being rebuilt. */
  stale: boolean;
}

export interface StatusUpdate {
  orderKey: number;
  status: string;
  previousStatus: string;
  /** ISO 8601 */
  updatedAt: string;
  updatedBy: string;
}

export interface StatusChange {
  status: string;
  previousStatus: string;
  /** ISO 8601 */
  changedAt: string;
  changedBy: string;
}

export interface HistoryOutput {
  orderKey: number;
  /** Newest first. */
  changes: StatusChange[];
}

export interface StatsOutput {
  totalOrders: number;
  byStatus: { status: string; count: number }[];
  byPriority: { priority: string; count: number }[];
  /**
   * The figures are exact for the synced table as it was at this time (ISO 8601): from the rollup, its last
   * check against the table (every `ttlSeconds`); before the rollup exists, when they were counted (reused for
   * `ttlSeconds`, then for up to as long again while a background refresh runs).
   */
  computedAt: string;
  ttlSeconds: number;
  /** The synced table has changed since `computedAt` and the figures are being rebuilt. */
  stale: boolean;
}
