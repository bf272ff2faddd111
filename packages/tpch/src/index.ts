export {
  DEFAULT_SEED,
  type GenerateOrdersOptions,
  generateOrders,
  ORDER_PRIORITIES,
  type OrderRow,
  orderKeyForIndex,
  ROWS_PER_SCALE_FACTOR,
  scaleFactorForRows,
} from "./orders-generator.ts";
export {
  createOrderIndexes,
  createOrdersTable,
  type LoadOrdersOptions,
  loadOrders,
  type OrdersTable,
  qualifiedTable,
} from "./orders-table.ts";
