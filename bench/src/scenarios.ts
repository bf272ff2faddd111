// What the bench asks, as the API path and as the SQL floor's statements for the same request.

import { ORDER_PRIORITIES, ORDER_SORTS, ORDER_STATUSES } from "@lakebase-orders/shared";
import { FIRST_ORDER_DATE, LAST_ORDER_DATE } from "@lakebase-orders/tpch";

export interface Scenario {
  name: string;
  /** One request: the tRPC procedure and its input. */
  next(): { procedure: string; input: Record<string, unknown> };
}

export interface Keys {
  /** Existing order keys, sampled across the table. */
  sample: number[];
  maxKey: number;
}

const FIRST_DAY = Date.parse(FIRST_ORDER_DATE);
const DAYS = (Date.parse(LAST_ORDER_DATE) - FIRST_DAY) / 86_400_000 + 1;

const pickOf = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
const isoDay = (day: number) => new Date(FIRST_DAY + day * 86_400_000).toISOString().slice(0, 10);

/** A filter combination almost never asked before: a random date range, with or without status/priority. */
export function newFilters(): Record<string, string> {
  const a = Math.floor(Math.random() * DAYS);
  const b = Math.floor(Math.random() * DAYS);
  const f: Record<string, string> = { dateFrom: isoDay(Math.min(a, b)), dateTo: isoDay(Math.max(a, b)) };
  if (Math.random() < 0.5) f.status = pickOf(ORDER_STATUSES);
  if (Math.random() < 0.5) f.priority = pickOf(ORDER_PRIORITIES);
  return f;
}

export function scenarios(keys: Keys, rows: number): Scenario[] {
  // Deep: anywhere in the last 90 % of the key range; a deep page: 10 % into the table.
  const deepKeys = keys.sample.filter((k) => k > keys.maxKey * 0.1);
  const deepPage = Math.max(2, Math.floor((rows * 0.1) / 100));
  const list = (input: Record<string, unknown>) => () => ({
    procedure: "orders.list",
    input: { pageSize: 100, includeCount: false, ...input },
  });
  return [
    {
      name: "byKey",
      next: () => ({ procedure: "orders.byKey", input: { orderKey: pickOf(keys.sample) } }),
    },
    ...ORDER_SORTS.map((sort) => ({ name: `list p1 ${sort}`, next: list({ page: 1, sort }) })),
    { name: `list p${deepPage} orderKey`, next: list({ page: deepPage, sort: "orderKey" }) },
    { name: `list p${deepPage} -totalPrice`, next: list({ page: deepPage, sort: "-totalPrice" }) },
    {
      name: "list p1 filtered -totalPrice",
      next: list({ page: 1, sort: "-totalPrice", status: "O", priority: "1-URGENT" }),
    },
    {
      name: "list p1 new filter orderDate",
      next: () => list({ page: 1, sort: "orderDate", ...newFilters() })(),
    },
    { name: "stream first page", next: () => ({ procedure: "orders.stream", input: { pageSize: 100 } }) },
    {
      name: "stream deep cursor",
      next: () => ({ procedure: "orders.stream", input: { cursor: pickOf(deepKeys), pageSize: 100 } }),
    },
    { name: "count new filter", next: () => ({ procedure: "orders.count", input: newFilters() }) },
    { name: "stats new filter", next: () => ({ procedure: "orders.stats", input: newFilters() }) },
  ];
}

/** The tRPC GET path of a request. */
export function pathOf(r: { procedure: string; input: Record<string, unknown> }): string {
  return `/api/trpc/${r.procedure}?input=${encodeURIComponent(JSON.stringify(r.input))}`;
}
