import { ORDER_COLUMNS, type OrderColumn } from "@lakebase-orders/tpch";

/** The one source table the local pipelines can sync, and its columns in Delta order. */
export const SOURCE_TABLE = "samples.tpch.orders";
export const SOURCE_COLUMNS: readonly OrderColumn[] = ORDER_COLUMNS.map((c) => c.name);

export function isSourceColumn(name: string): name is OrderColumn {
  return (SOURCE_COLUMNS as readonly string[]).includes(name);
}
