// Every API shape the SPA uses is derived from the server's router type: nothing is hand-written here.
import type { RouterInputs, RouterOutputs } from "@lakebase-orders/api";

export type Order = RouterOutputs["orders"]["byKey"];
// Inputs are optional on the server (`.optional()`): keep the object alternative.
export type OrdersListInput = Extract<RouterInputs["orders"]["list"], object>;
export type OrdersListOutput = RouterOutputs["orders"]["list"];
export type ListPagination = OrdersListOutput["pagination"];
export type OrdersStreamOutput = RouterOutputs["orders"]["stream"];
export type OrderStatus = NonNullable<OrdersListInput["status"]>;
export type OrderPriority = NonNullable<OrdersListInput["priority"]>;
export type OrderSort = NonNullable<OrdersListInput["sort"]>;
export type OrderHistory = RouterOutputs["orders"]["history"];
export type OrderStats = RouterOutputs["orders"]["stats"];
export type StatusUpdateResult = RouterOutputs["orders"]["updateStatus"];

/** Filters shared by list, stream, count and stats. */
export type OrderFilters = Pick<OrdersListInput, "status" | "priority" | "dateFrom" | "dateTo">;

// Runtime lists for the selects; `satisfies` makes the compiler reject a value the API would refuse.
export const ORDER_STATUSES = ["F", "O", "P"] as const satisfies readonly OrderStatus[];
export const ORDER_PRIORITIES = [
  "1-URGENT",
  "2-HIGH",
  "3-MEDIUM",
  "4-NOT SPECIFIED",
  "5-LOW",
] as const satisfies readonly OrderPriority[];
export const ORDER_SORTS = [
  "orderKey",
  "-orderKey",
  "orderDate",
  "-orderDate",
  "totalPrice",
  "-totalPrice",
] as const satisfies readonly OrderSort[];
