import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { WRITE_POSITION_HEADER, writePositionHeaders } from "../../http/write-position.ts";
import type { Call } from "../procedures.ts";
import { failure, json } from "../responses.ts";
import type { RestEnv } from "../types.ts";
import {
  countOutput,
  filtersQuery,
  historyOutput,
  orderKeyPath,
  pagesOutput,
  pagesQuery,
  restOrder,
  sampleOutput,
  statsOutput,
  statusBody,
  statusUpdateOutput,
  streamOutput,
  streamQuery,
  toHistory,
  toRestOrder,
  toStats,
  toStatusUpdate,
} from "./orders-schemas.ts";

const read = { 400: failure[400], 412: failure[412], 503: failure[503] } as const;
const tags = ["orders"];

// Static paths first: `/orders/{order_key}` would otherwise see "count" as a key.
const count = createRoute({
  method: "get",
  path: "/orders/count",
  operationId: "get_order_count",
  tags,
  summary: "Get total order count",
  request: { query: filtersQuery.schema },
  responses: { 200: json(countOutput, "The number of orders (matching the filters, if any)"), ...read },
});

const pages = createRoute({
  method: "get",
  path: "/orders/pages",
  operationId: "get_orders_by_page",
  tags,
  summary: "Get orders with page-based pagination",
  request: { query: pagesQuery.schema },
  responses: { 200: json(pagesOutput, "One page of orders"), ...read },
});

const stream = createRoute({
  method: "get",
  path: "/orders/stream",
  operationId: "get_orders_by_cursor",
  tags,
  summary: "Get orders with cursor-based pagination",
  description: "Keyset pagination on the order key: the same cost at any depth.",
  request: { query: streamQuery.schema },
  responses: { 200: json(streamOutput, "The orders after the cursor"), ...read },
});

const sample = createRoute({
  method: "get",
  path: "/orders/sample",
  operationId: "get_sample_orders",
  tags,
  summary: "Get 5 order keys",
  responses: { 200: json(sampleOutput, "Five order keys, for trying the other routes"), ...read },
});

const stats = createRoute({
  method: "get",
  path: "/orders/stats",
  operationId: "get_order_stats",
  tags,
  summary: "Get order counts per status and per priority",
  request: { query: filtersQuery.schema },
  responses: { 200: json(statsOutput, "Counts (cached: see ttl_seconds)"), ...read },
});

const byKey = createRoute({
  method: "get",
  path: "/orders/{order_key}",
  operationId: "read_order",
  tags,
  summary: "Get an order by its key",
  request: { params: orderKeyPath.schema },
  responses: { 200: json(restOrder, "The order, with its current status"), 404: failure[404], ...read },
});

const history = createRoute({
  method: "get",
  path: "/orders/{order_key}/history",
  operationId: "get_order_history",
  tags,
  summary: "Get the status changes of an order",
  request: { params: orderKeyPath.schema },
  responses: { 200: json(historyOutput, "The changes, newest first"), 404: failure[404], ...read },
});

const updateStatus = createRoute({
  method: "post",
  path: "/orders/{order_key}/status",
  operationId: "update_order_status",
  tags,
  summary: "Update order status",
  description:
    "The change goes to the app's own table with a history row (the synced table is read-only); reads show it at once. " +
    `The answer's \`${WRITE_POSITION_HEADER}\` header (and cookie) is the change's position: present the header on your next reads and they see the change whichever instance serves them, even before that instance has heard of it and while the readable secondary lags.`,
  request: {
    params: orderKeyPath.schema,
    body: { required: true, content: { "application/json": { schema: statusBody.schema } } },
  },
  responses: {
    200: {
      ...json(statusUpdateOutput, "The status now"),
      headers: {
        [WRITE_POSITION_HEADER]: {
          description: "The change's position, to present on the next reads (read-your-writes anywhere)",
          schema: { type: "string", example: "42@16/B374D848" },
        },
      },
    },
    404: failure[404],
    409: failure[409],
    ...read,
  },
});

/** The guide's orders routes (and our history and stats), each one call of the orders procedure it mirrors. */
export function ordersRoutes(call: Call) {
  return new OpenAPIHono<RestEnv>()
    .openapi(count, async (c) => {
      const r = await call(c).orders.count(filtersQuery.toInput(c.req.valid("query")));
      return c.json({ total_orders: r.totalOrders }, 200);
    })
    .openapi(pages, async (c) => {
      const input = pagesQuery.toInput(c.req.valid("query"));
      const { orders, pagination: p } = await call(c).orders.list(input);
      const counted = p.totalCount !== null && p.totalPages !== null;
      return c.json(
        {
          orders: orders.map(toRestOrder),
          pagination: {
            page: p.page,
            page_size: p.pageSize,
            has_next: p.hasNext,
            has_previous: p.hasPrevious,
            ...(counted ? { total_count: p.totalCount ?? 0, total_pages: p.totalPages ?? 0 } : {}),
          },
        },
        200,
      );
    })
    .openapi(stream, async (c) => {
      const { orders, pagination } = await call(c).orders.stream(streamQuery.toInput(c.req.valid("query")));
      return c.json(
        {
          orders: orders.map(toRestOrder),
          pagination: { next_cursor: pagination.nextCursor, has_next: pagination.hasNext },
        },
        200,
      );
    })
    .openapi(sample, async (c) => {
      const { orders } = await call(c).orders.stream({ pageSize: 5 });
      return c.json({ sample_order_keys: orders.map((o) => o.orderKey) }, 200);
    })
    .openapi(stats, async (c) => {
      const r = await call(c).orders.stats(filtersQuery.toInput(c.req.valid("query")));
      return c.json(toStats(r), 200);
    })
    .openapi(byKey, async (c) => {
      const order = await call(c).orders.byKey(orderKeyPath.toInput(c.req.valid("param")));
      return c.json(toRestOrder(order), 200);
    })
    .openapi(history, async (c) => {
      const r = await call(c).orders.history(orderKeyPath.toInput(c.req.valid("param")));
      return c.json(toHistory(r), 200);
    })
    .openapi(updateStatus, async (c) => {
      const { orderKey } = orderKeyPath.toInput(c.req.valid("param"));
      const body = statusBody.toInput(c.req.valid("json"));
      const r = await call(c).orders.updateStatus({ orderKey, ...body });
      // Set by the procedure (routers/orders.ts): what the writer presents on their next reads.
      const wrote = c.get("procedureContext")?.wrote;
      const headers = wrote ? writePositionHeaders(wrote, c.req.raw) : {};
      return c.json(toStatusUpdate(r), 200, headers);
    });
}

export const ordersNames = [orderKeyPath, filtersQuery, pagesQuery, streamQuery, statusBody].map(
  (f) => f.names,
);
