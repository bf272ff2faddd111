import type { Order, OrderFilters, OrderSort } from "../schemas.ts";
import {
  type DaySpan,
  hasFilters,
  NAMED_LIMITS,
  SqlBuilder,
  STATUS_TABLE,
  type Statement,
} from "./sql-builder.ts";

// The SQL of the orders reads, as plain parameterised text for node-postgres: the row shape, the status
// overlay join, sorts, pages and keyset pages. Nothing here knows about pools, and nothing is imported at
// run time but the builder, so the bench's floors run exactly this SQL.

/**
 * A row of the orders reads: already the wire's `Order` (column aliases and text casts give its shape, the
 * read path parses bigint as a JS number), so rows go out as they come in.
 */
export type OrderRow = Order;

export type SortColumn = "o_orderkey" | "o_orderdate" | "o_totalprice";

/** A sort: its leading column and direction. Every sort ends on the order key: a total order, so pages tile. */
export const SORTS: Record<OrderSort, { column: SortColumn; desc: boolean }> = {
  orderKey: { column: "o_orderkey", desc: false },
  "-orderKey": { column: "o_orderkey", desc: true },
  orderDate: { column: "o_orderdate", desc: false },
  "-orderDate": { column: "o_orderdate", desc: true },
  totalPrice: { column: "o_totalprice", desc: false },
  "-totalPrice": { column: "o_totalprice", desc: true },
};

export function orderBy(sort: OrderSort): string {
  const { column, desc } = SORTS[sort];
  const dir = desc ? "DESC" : "ASC";
  return column === "o_orderkey" ? `o.o_orderkey ${dir}` : `o.${column} ${dir}, o.o_orderkey ${dir}`;
}

// Text casts in SQL give the wire format directly (no Decimal/Date objects to convert per row).
const COLUMNS = `o.o_orderkey AS "orderKey", o.o_custkey AS "custKey",
    COALESCE(s.status, o.o_orderstatus) AS status, o.o_totalprice::text AS "totalPrice",
    to_char(o.o_orderdate, 'YYYY-MM-DD') AS "orderDate", o.o_orderpriority AS priority, o.o_clerk AS clerk,
    o.o_shippriority AS "shipPriority", o.o_comment AS comment`;

/** The order with its overlaid status. */
export function byKeyStatement(table: string, orderKey: number): Statement {
  const b = new SqlBuilder();
  return b.statement(
    `SELECT ${COLUMNS} FROM ${table} o
     LEFT JOIN ${STATUS_TABLE} s ON s.order_key = o.o_orderkey
     WHERE o.o_orderkey = ${b.param(orderKey)}`,
    true,
  );
}

export interface PageQuery {
  filters: OrderFilters;
  /**
   * The table each page's keys are found in, when not the synced table itself: the app's projection of the
   * sort columns (same column names, its own indexes); the rows are then read from the synced table by key.
   */
  keys?: string | undefined;
  sort: OrderSort;
  /** Rows to skip after `from` (or from the start). */
  offset: number;
  limit: number;
  /** Start at this value of the sort's leading column (inclusive): a seek instead of skipping rows. */
  from?: string | number | undefined;
  /** Days that can hold matches (undefined: unknown, no bound). */
  span?: DaySpan | null | undefined;
  /** Collect every match, then sort: for few matches scattered along the sort (see `shouldCollect`). */
  collect?: boolean;
}

/** Rows skipped from which a page seeks its keys through the index before fetching rows. */
export const DEFERRED_JOIN_FROM = 1000;

/**
 * Whether to collect a filter's matches and sort them rather than walk a sort index until the page is full.
 * A walk passes about (rows walked) = (skip + page) x (rows of the index's source) / (matches) entries; a
 * collection reads the matches through the filters' own index, then sorts them. The rollup gives both counts
 * exactly, which the planner cannot know when the filters' columns are correlated.
 */
export function shouldCollect(matches: number, sourceRows: number, skipPlusPage: number): boolean {
  return matches > 0 && matches * matches < skipPlusPage * sourceRows;
}

interface KeysQuery {
  filters: OrderFilters;
  column: SortColumn;
  desc: boolean;
  /** Conditions of the walk's start (a seek or a cursor); called once per source, for its parameters. */
  start: () => string[];
  span: DaySpan | null | undefined;
  offset: number;
  limit: number;
  collect: boolean;
}

/**
 * The query that yields one page's keys `k`, in order. A status filter reads its two sources apart (rows of
 * that synced status without an override, through an index that starts with the status; and the overridden
 * rows), each in the sort's order, and merges them. Only the keys: the filters are tested on index entries
 * (the indexes include the filter columns), and only the page's rows are fetched afterwards.
 */
function keysQuery(b: SqlBuilder, table: string, q: KeysQuery): string {
  const dir = q.desc ? "DESC" : "ASC";
  const byKey = q.column === "o_orderkey";
  const order = byKey ? `o.o_orderkey ${dir}` : `o.${q.column} ${dir}, o.o_orderkey ${dir}`;
  const merged = byKey ? `u.k ${dir}` : `u.c ${dir}, u.k ${dir}`;
  const window = `LIMIT ${q.limit} OFFSET ${q.offset}`;
  const sources = q.filters.status
    ? [
        b.where(q.filters, [...q.start(), ...b.span(q.span)], "synced"),
        b.where(q.filters, q.start(), "override"),
      ]
    : [b.where(q.filters, [...q.start(), ...b.span(q.span)])];
  const select = (where: string) => `SELECT o.o_orderkey AS k, o.${q.column} AS c FROM ${table} o ${where}`;
  if (q.collect) {
    // MATERIALIZED keeps the planner from turning the collection back into a walk.
    return `WITH m AS MATERIALIZED (${sources.map(select).join(" UNION ALL ")})
      SELECT u.k FROM m u ORDER BY ${merged} ${window}`;
  }
  if (sources.length === 1)
    return `SELECT o.o_orderkey AS k FROM ${table} o ${sources[0]} ORDER BY ${order} ${window}`;
  const walks = sources.map((w) => `(${select(w)} ORDER BY ${order} LIMIT ${q.offset + q.limit})`);
  return `SELECT u.k FROM (${walks.join(" UNION ALL ")}) u ORDER BY ${merged} ${window}`;
}

function rowsOfKeys(table: string, keys: string, order: string): string {
  return `WITH page AS MATERIALIZED (${keys})
    SELECT ${COLUMNS} FROM page p
    JOIN ${table} o ON o.o_orderkey = p.k
    LEFT JOIN ${STATUS_TABLE} s ON s.order_key = o.o_orderkey
    ORDER BY ${order}`;
}

/**
 * One page of a sort. Unfiltered near the top: a plain walk of the sort's index, as a named prepared
 * statement (its plan never depends on the values). Otherwise the page's keys first (deep pages skip index
 * entries, not rows), then its rows.
 */
export function pageStatement(table: string, q: PageQuery): Statement {
  const b = new SqlBuilder();
  const { column, desc } = SORTS[q.sort];
  const order = orderBy(q.sort);
  const keysTable = q.keys ?? table;
  const walkable = keysTable === table || column === "o_orderkey";
  if (
    walkable &&
    q.offset < DEFERRED_JOIN_FROM &&
    q.from === undefined &&
    q.span === undefined &&
    !hasFilters(q.filters)
  ) {
    // Literals, not parameters: a generic plan for an unknown LIMIT/OFFSET may choose a sort over a walk.
    return b.statement(
      `SELECT ${COLUMNS} FROM ${table} o
       LEFT JOIN ${STATUS_TABLE} s ON s.order_key = o.o_orderkey
       ORDER BY ${order} LIMIT ${q.limit} OFFSET ${q.offset}`,
      q.offset === 0 && NAMED_LIMITS.has(q.limit),
    );
  }
  const keys = keysQuery(b, keysTable, {
    filters: q.filters,
    column,
    desc,
    start: () =>
      q.from === undefined ? [] : [`o.${column} ${desc ? "<=" : ">="} ${b.param(q.from)}${castOf(column)}`],
    span: q.span,
    offset: q.offset,
    limit: q.limit,
    collect: q.collect ?? false,
  });
  // The projection's unfiltered first page has the same shape every time: prepared like the walk above.
  const prepared = !walkable && b.values.length === 0 && q.offset === 0 && !q.collect;
  return b.statement(rowsOfKeys(table, keys, order), prepared);
}

function castOf(column: SortColumn): string {
  return column === "o_orderdate" ? "::date" : column === "o_totalprice" ? "::numeric" : "::bigint";
}

export interface StreamQuery {
  filters: OrderFilters;
  /** As PageQuery's: where a filtered walk finds its keys. */
  keys?: string | undefined;
  cursor: number | null | undefined;
  backward: boolean;
  limit: number;
  span?: DaySpan | null | undefined;
  collect?: boolean;
}

/** A keyset page on the primary key: the same cost at any depth, unlike OFFSET. */
export function streamStatement(table: string, q: StreamQuery): Statement {
  const b = new SqlBuilder();
  const cmp = q.backward ? "<" : ">";
  const dir = q.backward ? "DESC" : "ASC";
  const hasCursor = q.cursor != null;
  if (hasFilters(q.filters) || q.span !== undefined) {
    const keys = keysQuery(b, q.keys ?? table, {
      filters: q.filters,
      column: "o_orderkey",
      desc: q.backward,
      start: () => (hasCursor ? [`o.o_orderkey ${cmp} ${b.param(q.cursor)}`] : []),
      span: q.span,
      offset: 0,
      limit: q.limit,
      collect: q.collect ?? false,
    });
    return b.statement(rowsOfKeys(table, keys, `o.o_orderkey ${dir}`), false);
  }
  const cursor = hasCursor ? b.param(q.cursor) : "";
  // The same bound on the overrides: otherwise the planner's merge join reads every override below the
  // cursor before the first row, and deep pages get slower as overrides accumulate.
  return b.statement(
    `SELECT ${COLUMNS} FROM ${table} o
     LEFT JOIN ${STATUS_TABLE} s ON s.order_key = o.o_orderkey ${hasCursor ? `AND s.order_key ${cmp} ${cursor}` : ""}
     ${hasCursor ? `WHERE o.o_orderkey ${cmp} ${cursor}` : ""} ORDER BY o.o_orderkey ${dir} LIMIT ${q.limit}`,
    NAMED_LIMITS.has(q.limit),
  );
}

/** Exact count by scanning: what answers before the rollup exists. */
export function countStatement(table: string, f: OrderFilters): Statement {
  const b = new SqlBuilder();
  return b.statement(`SELECT count(*) AS n FROM ${table} o ${b.where(f)}`, false);
}

/** Counts per overlaid status and priority by scanning: what answers before the rollup exists. */
export function statsStatement(table: string, f: OrderFilters): Statement {
  const b = new SqlBuilder();
  return b.statement(
    `SELECT COALESCE(s.status, o.o_orderstatus) AS status, o.o_orderpriority AS priority, count(*) AS n
     FROM ${table} o LEFT JOIN ${STATUS_TABLE} s ON s.order_key = o.o_orderkey
     ${b.where(f)} GROUP BY 1, 2`,
    false,
  );
}
