export {
  DEFAULT_SEED,
  FIRST_ORDER_DATE,
  type GenerateOrdersOptions,
  generateOrders,
  LAST_ORDER_DATE,
  ORDER_PRIORITIES,
  type OrderRow,
  orderKeyForIndex,
  ROWS_PER_SCALE_FACTOR,
  scaleFactorForRows,
} from "./orders-generator.ts";
export {
  analyzeOrders,
  type CreateOrdersTableOptions,
  createOrderIndexes,
  createOrdersTable,
  type LoadOrdersOptions,
  loadOrders,
  ORDER_COLUMNS,
  type OrderColumn,
  type OrdersTable,
  qualifiedTable,
} from "./orders-table.ts";
