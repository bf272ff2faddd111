import { Prisma } from "@lakebase-orders/db";
import { notFound } from "../errors/domain-error.ts";
import type { Order, OrderFilters, OrderSort } from "./schemas.ts";

// SQL pieces the orders reads share: the row shape, the status overlay join, sorts and filters.
const { sql, join, empty, raw } = Prisma;

export interface OrderRow {
  orderKey: bigint;
  custKey: bigint;
  status: string;
  totalPrice: string;
  orderDate: string;
  priority: string;
  clerk: string;
  shipPriority: number;
  comment: string;
}

/** The app's status overrides: the synced table is read-only, so changes live here and win over it. */
export const STATUS = raw(`"app_data"."order_status"`);

// Sort keys always end on the order key: a total order, so OFFSET pages tile the table exactly.
export const ORDER_BY: Record<OrderSort, string> = {
  orderKey: "o.o_orderkey ASC",
  "-orderKey": "o.o_orderkey DESC",
  orderDate: "o.o_orderdate ASC, o.o_orderkey ASC",
  "-orderDate": "o.o_orderdate DESC, o.o_orderkey DESC",
  totalPrice: "o.o_totalprice ASC, o.o_orderkey ASC",
  "-totalPrice": "o.o_totalprice DESC, o.o_orderkey DESC",
};

// Text casts in SQL give the wire format directly (no Decimal/Date objects to convert per row).
export const COLUMNS = sql`o.o_orderkey AS "orderKey", o.o_custkey AS "custKey",
    COALESCE(s.status, o.o_orderstatus) AS status, o.o_totalprice::text AS "totalPrice",
    to_char(o.o_orderdate, 'YYYY-MM-DD') AS "orderDate", o.o_orderpriority AS priority, o.o_clerk AS clerk,
    o.o_shippriority AS "shipPriority", o.o_comment AS comment`;

/** WHERE for the filters (and `extra` conditions), over the synced table `o`. */
export function whereClause(f: OrderFilters, extra: Prisma.Sql[] = []): Prisma.Sql {
  const conditions = [...extra];
  if (f.priority) conditions.push(sql`o.o_orderpriority = ${f.priority}`);
  if (f.dateFrom) conditions.push(sql`o.o_orderdate >= ${f.dateFrom}::date`);
  if (f.dateTo) conditions.push(sql`o.o_orderdate <= ${f.dateTo}::date`);
  if (f.status) {
    // Overrides are few: the synced status decides unless an override exists. Both sub-selects become
    // hashed sub-plans over the small status table, so the synced-table indexes stay usable.
    conditions.push(sql`((o.o_orderstatus = ${f.status}
          AND o.o_orderkey NOT IN (SELECT x.order_key FROM ${STATUS} x))
        OR o.o_orderkey IN (SELECT x.order_key FROM ${STATUS} x WHERE x.status = ${f.status}))`);
  }
  return conditions.length > 0 ? sql`WHERE ${join(conditions, " AND ")}` : empty;
}

export function toOrder(r: OrderRow): Order {
  return {
    orderKey: Number(r.orderKey),
    custKey: Number(r.custKey),
    status: r.status,
    totalPrice: r.totalPrice,
    orderDate: r.orderDate,
    priority: r.priority,
    clerk: r.clerk,
    shipPriority: Number(r.shipPriority),
    comment: r.comment,
  };
}

export function orderNotFound(orderKey: number) {
  return notFound(`Order ${orderKey} not found`);
}

/** Cache key of a filter combination. */
export function filterKey(f: OrderFilters): string {
  return JSON.stringify([f.status ?? null, f.priority ?? null, f.dateFrom ?? null, f.dateTo ?? null]);
}
