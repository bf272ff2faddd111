import type { ReactNode } from "react";
import type { Order, OrderColumn } from "../../../api-types.ts";
import type { Format } from "../../../format.ts";
import { priorityLabel } from "../../../labels.ts";
import type { Density } from "../search/search.ts";
import { OrderStatusBadge } from "../table/OrderStatusBadge.tsx";

export type SortKey = "orderKey" | "totalPrice" | "orderDate";

export interface Column {
  id: OrderColumn;
  header: string;
  /** The cell's content, numbers and dates written in the browser's locale. */
  cell: (order: Order, format: Format) => ReactNode;
  /** Tooltip of the cell: the full text where the column may cut it, or the code behind a label. */
  title?: (order: Order) => string;
  /** The API sorts by key, date and total only. */
  sortKey?: SortKey;
  numeric?: boolean;
}

/** The table's columns, in the default order. Widths live in the stylesheet (`.col-<id>`), fixed so rows never reflow. */
export const COLUMNS: readonly Column[] = [
  { id: "orderKey", header: "Order", cell: (o) => o.orderKey, sortKey: "orderKey", numeric: true },
  { id: "custKey", header: "Customer", cell: (o) => o.custKey, numeric: true },
  { id: "status", header: "Status", cell: (o) => <OrderStatusBadge status={o.status} /> },
  {
    id: "totalPrice",
    header: "Total",
    cell: (o, f) => f.money(o.totalPrice),
    sortKey: "totalPrice",
    numeric: true,
  },
  {
    id: "orderDate",
    header: "Date",
    cell: (o, f) => <time dateTime={o.orderDate}>{f.date(o.orderDate)}</time>,
    sortKey: "orderDate",
  },
  {
    id: "priority",
    header: "Priority",
    cell: (o) => priorityLabel(o.priority),
    title: (o) => `Priority code ${o.priority}`,
  },
  { id: "clerk", header: "Clerk", cell: (o) => o.clerk },
  { id: "shipPriority", header: "Ship prio.", cell: (o) => o.shipPriority, numeric: true },
  { id: "comment", header: "Comment", cell: (o) => o.comment, title: (o) => o.comment },
];

const BY_ID = new Map(COLUMNS.map((c) => [c.id, c]));

/** The header of a column. */
export const headerOf = (id: OrderColumn): string => BY_ID.get(id)?.header ?? id;

/** The columns of these ids, in this order. */
export function columnsOf(ids: readonly OrderColumn[]): Column[] {
  return ids.flatMap((id) => BY_ID.get(id) ?? []);
}

export function columnClass(column: Column): string {
  return `col-${column.id}${column.numeric ? " num" : ""}`;
}

/** Row height per density (the stylesheet's --row-height follows `data-density`). */
export const ROW_HEIGHTS: Record<Density, number> = { comfortable: 36, compact: 28 };
