import type { OrderColumn, OrderPriority, OrderStatusCode } from "./orders.ts";

// The words people read in place of the orders' codes: the SPA's screen and the CSV export's default use the
// same ones, so a file says what the table said.

export const ORDER_STATUS_LABELS: Readonly<Record<OrderStatusCode, string>> = {
  F: "Fulfilled",
  O: "Open",
  P: "Partial",
};

export const ORDER_PRIORITY_LABELS: Readonly<Record<OrderPriority, string>> = {
  "1-URGENT": "Urgent",
  "2-HIGH": "High",
  "3-MEDIUM": "Medium",
  "4-NOT SPECIFIED": "Not specified",
  "5-LOW": "Low",
};

/** The orders table's column headers. */
export const ORDER_COLUMN_LABELS: Readonly<Record<OrderColumn, string>> = {
  orderKey: "Order",
  custKey: "Customer",
  status: "Status",
  totalPrice: "Total",
  orderDate: "Date",
  priority: "Priority",
  clerk: "Clerk",
  shipPriority: "Ship prio.",
  comment: "Comment",
};
