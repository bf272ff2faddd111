import { ORDER_COLUMNS, type OrderColumn } from "@lakebase-orders/shared";
import type { OrderFilters, OrderSort } from "../schemas.ts";
import type { SyncedTable } from "../tables.ts";
import { inlineSql } from "./inline-sql.ts";
import { SqlBuilder, STATUS_TABLE } from "./sql-builder.ts";
import { orderBy } from "./statements.ts";

/**
 * A text cell a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage return)
 * gets a leading apostrophe: shown as text, never evaluated (OWASP's CSV injection advice). Done in SQL, so
 * COPY writes final cells and Node never parses a row. Numbers and dates are typed columns and cannot
 * carry a formula.
 */
export function formulaSafe(expression: string): string {
  return `CASE WHEN left(${expression}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || ${expression} ELSE ${expression} END`;
}

// Each column as COPY writes it, named as the API's fields (the CSV's header line). Decimals and dates come
// out locale-neutral (1234.56, 1995-03-14), as every spreadsheet reads them.
const CELLS: Record<OrderColumn, string> = {
  orderKey: "o.o_orderkey",
  custKey: "o.o_custkey",
  status: formulaSafe("COALESCE(s.status, o.o_orderstatus)"),
  totalPrice: "o.o_totalprice",
  orderDate: "to_char(o.o_orderdate, 'YYYY-MM-DD')",
  priority: formulaSafe("o.o_orderpriority"),
  clerk: formulaSafe("o.o_clerk"),
  shipPriority: "o.o_shippriority",
  comment: formulaSafe("o.o_comment"),
};

export interface CsvQuery {
  filters: OrderFilters;
  sort: OrderSort;
  /** In the order they appear; all of them when absent. */
  columns?: readonly OrderColumn[] | undefined;
}

/**
 * The COPY statement of an export: the rows `orders.list` would page through for these filters and this sort
 * (its WHERE and ORDER BY, the status overlay joined), every row, as CSV with a header line.
 */
export function csvStatement(table: SyncedTable, q: CsvQuery): string {
  const columns = q.columns && q.columns.length > 0 ? q.columns : ORDER_COLUMNS;
  const select = columns.map((c) => `${CELLS[c]} AS "${c}"`).join(", ");
  const b = new SqlBuilder();
  const where = b.where(q.filters);
  return `COPY (SELECT ${select} FROM ${table.sqlName} o
    LEFT JOIN ${STATUS_TABLE} s ON s.order_key = o.o_orderkey
    ${inlineSql(where, b.values)}
    ORDER BY ${orderBy(q.sort)}) TO STDOUT WITH (FORMAT csv, HEADER true)`;
}
