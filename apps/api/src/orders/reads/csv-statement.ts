import {
  ORDER_COLUMN_LABELS,
  ORDER_COLUMNS,
  ORDER_PRIORITY_LABELS,
  ORDER_STATUS_LABELS,
  type OrderColumn,
} from "@lakebase-orders/shared";
import pg from "pg";
import type { OrderFilters, OrderSort } from "../schemas.ts";
import type { SyncedTable } from "../tables.ts";
import { inlineSql } from "./inline-sql.ts";
import { SqlBuilder, STATUS_TABLE } from "./sql-builder.ts";
import { orderBy } from "./statements.ts";

/**
 * What a spreadsheet would run as a formula (OWASP's CSV injection rule): a cell that starts with a tab, a
 * carriage return or a line feed, or whose first character after any leading white space (Unicode spaces and
 * zero-width characters included) is =, +, - or @, or their full-width forms ＝ ＋ － ＠. As a PostgreSQL
 * regular expression (ARE escapes only, so the SQL text stays ASCII).
 */
export const FORMULA_START =
  "^[\\t\\r\\n]|^[\\s\\u00a0\\u1680\\u180e\\u2000-\\u200d\\u2028\\u2029\\u202f\\u205f\\u2060\\u3000\\ufeff]*[-=+@\\uff1d\\uff0b\\uff0d\\uff20]";

/**
 * A text cell a spreadsheet would run as a formula (see FORMULA_START) gets a leading apostrophe: shown as
 * text, never evaluated. Done in SQL, so COPY writes final cells and Node never parses a row. Numbers and
 * dates are typed columns and cannot carry a formula.
 */
export function formulaSafe(expression: string): string {
  return `CASE WHEN ${expression} ~ ${pg.escapeLiteral(FORMULA_START)} THEN '''' || ${expression} ELSE ${expression} END`;
}

/** A code as its label (codes without one stay as they are, made formula-safe). */
function labelled(expression: string, labels: Readonly<Record<string, string>>): string {
  const cases = Object.entries(labels)
    .map(([code, label]) => `WHEN ${pg.escapeLiteral(code)} THEN ${pg.escapeLiteral(label)}`)
    .join(" ");
  return `CASE ${expression} ${cases} ELSE ${formulaSafe(expression)} END`;
}

const STATUS = "COALESCE(s.status, o.o_orderstatus)";

// Each column as COPY writes it. Decimals and dates come out locale-neutral (1234.56, 1995-03-14), as every
// spreadsheet reads them.
const API_CELLS: Record<OrderColumn, string> = {
  orderKey: "o.o_orderkey",
  custKey: "o.o_custkey",
  status: formulaSafe(STATUS),
  totalPrice: "o.o_totalprice",
  orderDate: "to_char(o.o_orderdate, 'YYYY-MM-DD')",
  priority: formulaSafe("o.o_orderpriority"),
  clerk: formulaSafe("o.o_clerk"),
  shipPriority: "o.o_shippriority",
  comment: formulaSafe("o.o_comment"),
};
const LABEL_CELLS: Record<OrderColumn, string> = {
  ...API_CELLS,
  status: labelled(STATUS, ORDER_STATUS_LABELS),
  priority: labelled("o.o_orderpriority", ORDER_PRIORITY_LABELS),
};

/**
 * How the file names things: `labels` as the screen does (its column headers, "Fulfilled", "Urgent"), for
 * people; `api` the API's field names and codes (`orderKey`, `F`, `1-URGENT`), for machines.
 */
export const CSV_NAMES = ["labels", "api"] as const;
export type CsvNames = (typeof CSV_NAMES)[number];

export interface CsvQuery {
  filters: OrderFilters;
  sort: OrderSort;
  /** In the order they appear; all of them when absent. */
  columns?: readonly OrderColumn[] | undefined;
  /** Default `labels`. */
  names?: CsvNames | undefined;
}

/**
 * The COPY statement of an export: the rows `orders.list` would page through for these filters and this sort
 * (its WHERE and ORDER BY, the status overlay joined), every row, as CSV with a header line.
 */
export function csvStatement(table: SyncedTable, q: CsvQuery): string {
  const columns = q.columns && q.columns.length > 0 ? q.columns : ORDER_COLUMNS;
  const api = q.names === "api";
  const cells = api ? API_CELLS : LABEL_CELLS;
  const select = columns
    .map((c) => `${cells[c]} AS ${pg.escapeIdentifier(api ? c : ORDER_COLUMN_LABELS[c])}`)
    .join(", ");
  const b = new SqlBuilder();
  const where = b.where(q.filters);
  return `COPY (SELECT ${select} FROM ${table.sqlName} o
    LEFT JOIN ${STATUS_TABLE} s ON s.order_key = o.o_orderkey
    ${inlineSql(where, b.values)}
    ORDER BY ${orderBy(q.sort)}) TO STDOUT WITH (FORMAT csv, HEADER true)`;
}
