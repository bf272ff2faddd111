import { z } from "zod";
import {
  byKeyInput,
  type HistoryOutput,
  listInput,
  type Order,
  orderFiltersInput,
  type StatsOutput,
  type StatusUpdate,
  streamInput,
  updateStatusInput,
} from "../../orders/schemas.ts";
import { restFields } from "../fields/fields.ts";
import { type Snake, toSnake } from "../fields/snake.ts";

// Inputs: the orders procedures' own fields under the guide's names.

export const orderKeyPath = restFields(
  { orderKey: byKeyInput.shape.orderKey },
  { in: "path", describe: { orderKey: "The order's key (o_orderkey)" } },
);

const filterDocs = {
  status: "Only orders whose current status (overrides included) is this one",
  priority: "Only orders of this priority",
  dateFrom: "Only orders placed on or after this day (YYYY-MM-DD)",
  dateTo: "Only orders placed on or before this day (YYYY-MM-DD)",
} as const;

export const filtersQuery = restFields(orderFiltersInput.shape, { in: "query", describe: filterDocs });

export const pagesQuery = restFields(listInput.shape, {
  in: "query",
  describe: {
    ...filterDocs,
    page: "Page number (1-based)",
    pageSize: "Number of records per page (max 1000)",
    includeCount: "Include the total count (exact, cached for up to 20 s) and the number of pages",
    sort: "Sort order; a leading `-` is descending; ties are broken by the order key",
  },
});

export const streamQuery = restFields(streamInput.shape, {
  in: "query",
  describe: {
    ...filterDocs,
    cursor: "Start after this order key (0 for the beginning); pass back `next_cursor` for the next page",
    pageSize: "Number of records to fetch (max 1000)",
    direction: "`backward`: the page before the cursor (still in ascending order)",
  },
});

export const statusBody = restFields(
  { status: updateStatusInput.shape.status, expectedStatus: updateStatusInput.shape.expectedStatus },
  {
    in: "body",
    renames: { status: "o_orderstatus" },
    describe: {
      status: "The new status",
      expectedStatus: "Apply only if the current status is still this one (else 409)",
    },
  },
);

// Outputs: the guide's shapes (snake_case, `o_` columns, the price as a JSON number).

export const restOrder = z
  .object({
    o_orderkey: z.number().int(),
    o_custkey: z.number().int(),
    o_orderstatus: z
      .string()
      .meta({ description: "The current status: an app-side change overrides the synced one" }),
    o_totalprice: z.number(),
    o_orderdate: z.iso.date(),
    o_orderpriority: z.string(),
    o_clerk: z.string(),
    o_shippriority: z.number().int(),
    o_comment: z.string(),
  })
  .meta({ id: "Order" });
export type RestOrder = z.infer<typeof restOrder>;

/** numeric(18,2) travels as a string on the tRPC wire; the guide returns a number (exact below 2^53 cents). */
export const toRestOrder = (o: Order): RestOrder => ({
  o_orderkey: o.orderKey,
  o_custkey: o.custKey,
  o_orderstatus: o.status,
  o_totalprice: Number(o.totalPrice),
  o_orderdate: o.orderDate,
  o_orderpriority: o.priority,
  o_clerk: o.clerk,
  o_shippriority: o.shipPriority,
  o_comment: o.comment,
});

export const countOutput = z.object({ total_orders: z.number().int() }).meta({ id: "OrderCount" });

export const pagesOutput = z
  .object({
    orders: z.array(restOrder),
    pagination: z.object({
      page: z.number().int(),
      page_size: z.number().int(),
      has_next: z.boolean(),
      has_previous: z.boolean(),
      total_count: z.number().int().optional().meta({ description: "Present when include_count is true" }),
      total_pages: z.number().int().optional().meta({ description: "Present when include_count is true" }),
    }),
  })
  .meta({ id: "OrderListResponse" });

export const streamOutput = z
  .object({
    orders: z.array(restOrder),
    pagination: z.object({
      next_cursor: z
        .number()
        .int()
        .nullable()
        .meta({ description: "Pass back as `cursor`; null at the end" }),
      has_next: z.boolean(),
    }),
  })
  .meta({ id: "OrderListCursorResponse" });

export const sampleOutput = z
  .object({ sample_order_keys: z.array(z.number().int()) })
  .meta({ id: "OrderSample" });

export const statusUpdateOutput = z
  .object({
    o_orderkey: z.number().int(),
    o_orderstatus: z.string(),
    message: z.string(),
    previous_status: z.string(),
    updated_at: z.iso.datetime(),
    updated_by: z.string(),
  })
  .meta({ id: "OrderStatusUpdateResponse" });

export const toStatusUpdate = (u: StatusUpdate): z.infer<typeof statusUpdateOutput> => ({
  o_orderkey: u.orderKey,
  o_orderstatus: u.status,
  message: "Order status updated successfully",
  previous_status: u.previousStatus,
  updated_at: u.updatedAt,
  updated_by: u.updatedBy,
});

export const historyOutput = z
  .object({
    o_orderkey: z.number().int(),
    changes: z
      .array(
        z.object({
          status: z.string(),
          previous_status: z.string(),
          changed_at: z.iso.datetime(),
          changed_by: z.string(),
        }),
      )
      .meta({ description: "Newest first" }),
  })
  .meta({ id: "OrderStatusHistory" });

export const toHistory = (h: HistoryOutput): z.infer<typeof historyOutput> => ({
  o_orderkey: h.orderKey,
  changes: toSnake(h.changes),
});

export const statsOutput = z
  .object({
    total_orders: z.number().int(),
    by_status: z.array(z.object({ status: z.string(), count: z.number().int() })),
    by_priority: z.array(z.object({ priority: z.string(), count: z.number().int() })),
    computed_at: z.iso.datetime(),
    ttl_seconds: z.number().int().meta({ description: "How long the figures are reused (then refreshed)" }),
  })
  .meta({ id: "OrderStats" });

export const toStats = (s: StatsOutput): Snake<StatsOutput> => toSnake(s);
