// The orders vocabulary: the values the TPC-H data holds and the sorts the API offers. The API builds its zod
// schemas from these lists and the SPA its selects, so the two cannot disagree.

export const ORDER_STATUSES = ["F", "O", "P"] as const;
export const ORDER_PRIORITIES = ["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"] as const;
export const ORDER_SORTS = [
  "orderKey",
  "-orderKey",
  "orderDate",
  "-orderDate",
  "totalPrice",
  "-totalPrice",
] as const;

export type OrderStatusCode = (typeof ORDER_STATUSES)[number];
export type OrderPriority = (typeof ORDER_PRIORITIES)[number];
export type OrderSort = (typeof ORDER_SORTS)[number];

/**
 * The fields of an order, in the table's default column order: the SPA's columns, a saved view's columns and
 * the CSV export's columns are chosen from these.
 */
export const ORDER_COLUMNS = [
  "orderKey",
  "custKey",
  "status",
  "totalPrice",
  "orderDate",
  "priority",
  "clerk",
  "shipPriority",
  "comment",
] as const;

export type OrderColumn = (typeof ORDER_COLUMNS)[number];

/** A saved view's id: random base64url (22 characters for 128 bits), within these bounds. */
export const VIEW_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/** What the orders trend can be split by. */
export const TREND_SPLITS = ["status", "priority"] as const;
