// Every API shape the SPA uses is derived from the server's router type: nothing is hand-written here.
import type { RouterInputs, RouterOutputs } from "@lakebase-orders/api";
import {
  CAPACITIES as SHARED_CAPACITIES,
  ORDER_COLUMNS as SHARED_COLUMNS,
  ORDER_PRIORITIES as SHARED_PRIORITIES,
  ORDER_SORTS as SHARED_SORTS,
  ORDER_STATUSES as SHARED_STATUSES,
  TREND_SPLITS as SHARED_TREND_SPLITS,
} from "@lakebase-orders/shared";

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
export type OrderTrend = RouterOutputs["orders"]["trend"];
export type TrendSplit = OrderTrend["splitBy"];
export type SavedView = RouterOutputs["views"]["get"];
export type ViewSearch = RouterInputs["views"]["save"]["search"];
/** A field of an order, as a table column, a view's column and an export's column. */
export type OrderColumn = keyof Order;

/** Filters shared by list, stream, count and stats. */
export type OrderFilters = Pick<OrdersListInput, "status" | "priority" | "dateFrom" | "dateTo">;

export type LakebaseStatus = RouterOutputs["lakebase"]["status"];
export type CreateInput = RouterInputs["lakebase"]["create"];
export type CreateResult = RouterOutputs["lakebase"]["create"];
export type DeleteResult = RouterOutputs["lakebase"]["delete"];
export type Capacity = NonNullable<CreateInput["capacity"]>;

// The runtime lists come from @lakebase-orders/shared, which the API's schemas are built from too;
// `satisfies` makes the compiler reject a value the router would refuse.
export const ORDER_STATUSES = SHARED_STATUSES satisfies readonly OrderStatus[];
export const ORDER_PRIORITIES = SHARED_PRIORITIES satisfies readonly OrderPriority[];
export const ORDER_SORTS = SHARED_SORTS satisfies readonly OrderSort[];
export const CAPACITIES = SHARED_CAPACITIES satisfies readonly Capacity[];
export const ORDER_COLUMNS = SHARED_COLUMNS satisfies readonly OrderColumn[];
export const TREND_SPLITS = SHARED_TREND_SPLITS satisfies readonly TrendSplit[];

// Lakebase Autoscaling: the resources the status lists (project, branches, endpoints, catalog, synced table),
// and the answer of a branch, endpoint or data action.
export type ResourceView = LakebaseStatus["resources"][number];
export type ProjectView = Extract<ResourceView, { kind: "project" }>;
export type BranchView = Extract<ResourceView, { kind: "branch" }>;
export type EndpointView = Extract<ResourceView, { kind: "endpoint" }>;
export type ActionResult = RouterOutputs["lakebase"]["branches"]["create"];
export type BranchCreateInput = RouterInputs["lakebase"]["branches"]["create"];
export type EndpointCreateInput = RouterInputs["lakebase"]["endpoints"]["create"];
export type EndpointUpdateInput = RouterInputs["lakebase"]["endpoints"]["update"];
