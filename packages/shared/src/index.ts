export { ORDER_COLUMN_LABELS, ORDER_PRIORITY_LABELS, ORDER_STATUS_LABELS } from "./labels.ts";
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
  ORDER_COLUMNS,
  ORDER_PRIORITIES,
  ORDER_SORTS,
  ORDER_STATUSES,
  type OrderColumn,
  type OrderPriority,
  type OrderSort,
  type OrderStatusCode,
  TREND_SPLITS,
  VIEW_ID_PATTERN,
} from "./orders.ts";
