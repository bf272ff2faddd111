export {
  CAPACITIES,
  type Capacity,
  isSettled,
  isSyncedTableOnline,
  isSyncFailed,
  SETTLED_INSTANCE_STATES,
  type SettledInput,
} from "./lakebase.ts";
export {
  ORDER_PRIORITIES,
  ORDER_SORTS,
  ORDER_STATUSES,
  type OrderPriority,
  type OrderSort,
  type OrderStatusCode,
} from "./orders.ts";
