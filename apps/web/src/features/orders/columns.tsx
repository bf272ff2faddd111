import type { ReactNode } from "react";
import type { Order } from "../../api-types.ts";
import { formatDate, formatMoney } from "../../format.ts";
import { StatusBadge } from "./StatusBadge.tsx";

export type SortKey = "orderKey" | "totalPrice" | "orderDate";

export interface Column {
  id: keyof Order;
  header: string;
  cell: (order: Order) => ReactNode;
  /** Tooltip of the cell (the full text where the column may cut it). */
  title?: (order: Order) => string;
  /** The API sorts by key, date and total only. */
  sortKey?: SortKey;
  numeric?: boolean;
}

/** The table's columns, in order. Widths live in the stylesheet (`.col-<id>`), fixed so rows never reflow. */
export const COLUMNS: readonly Column[] = [
  { id: "orderKey", header: "Order", cell: (o) => o.orderKey, sortKey: "orderKey", numeric: true },
  { id: "custKey", header: "Customer", cell: (o) => o.custKey, numeric: true },
  { id: "status", header: "Status", cell: (o) => <StatusBadge status={o.status} /> },
  {
    id: "totalPrice",
    header: "Total",
    cell: (o) => formatMoney(o.totalPrice),
    sortKey: "totalPrice",
    numeric: true,
  },
  {
    id: "orderDate",
    header: "Date",
    cell: (o) => <time dateTime={o.orderDate}>{formatDate(o.orderDate)}</time>,
    sortKey: "orderDate",
  },
  { id: "priority", header: "Priority", cell: (o) => o.priority },
  { id: "clerk", header: "Clerk", cell: (o) => o.clerk },
  { id: "shipPriority", header: "Ship prio.", cell: (o) => o.shipPriority, numeric: true },
  { id: "comment", header: "Comment", cell: (o) => o.comment, title: (o) => o.comment },
];

export function columnClass(column: Column): string {
  return `col-${column.id}${column.numeric ? " num" : ""}`;
}
