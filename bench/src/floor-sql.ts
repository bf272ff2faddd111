// What the floors run for a request: the API's own statements (`@lakebase-orders/api/orders-sql`) and,
// for positions, counts and stats, the API's own rollup figures loaded from app_data, so the floors do the same
// database work as the API without its stack. Counts and stats need no SQL at all there (the API answers them
// from memory), so the SQL floor has nothing to run for them.
import {
  buildFigures,
  byKeyStatement,
  DEFERRED_JOIN_FROM,
  loadCorrections,
  loadRollup,
  type OrderFilters,
  type OrderSort,
  pageStatement,
  queryConfig,
  type RollupFigures,
  type Statement,
  streamStatement,
} from "@lakebase-orders/api/orders-sql";

export { queryConfig, type Statement };
export type Filters = OrderFilters;
export type Input = Record<string, unknown>;

/** The synced table as the API is configured by default. */
export const TABLE = `"public"."orders_synced"`;
const TABLE_NAME = "orders_catalog.public.orders_synced";

interface Queryable {
  query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/** The API's rollup with the overrides applied; undefined before the API has built one. */
export async function loadFigures(pool: Queryable): Promise<RollupFigures | undefined> {
  const db = pool as Parameters<typeof loadRollup>[0];
  const rows = await loadRollup(db, TABLE_NAME).catch(() => []);
  if (rows.length === 0) return undefined;
  return buildFigures(rows, await loadCorrections(db, TABLE));
}

/** As the API's list: deep pages seek through the rollup when it can. */
export function listStatement(i: Input, figures: RollupFigures | undefined): Statement {
  const page = Number(i.page ?? 1);
  const pageSize = Number(i.pageSize ?? 100);
  const sort = (i.sort ?? "orderKey") as OrderSort;
  const filters = i as OrderFilters;
  const offset = (page - 1) * pageSize;
  const seek = offset >= DEFERRED_JOIN_FROM ? figures?.seek(sort, filters, offset) : undefined;
  return pageStatement(TABLE, {
    filters,
    sort,
    offset: seek ? seek.offset : offset,
    limit: pageSize + 1,
    ...(seek && { from: seek.from }),
  });
}

export function streamStatementOf(i: Input): Statement {
  return streamStatement(TABLE, {
    filters: i as OrderFilters,
    cursor: (i.cursor as number | null | undefined) ?? null,
    backward: i.direction === "backward",
    limit: Number(i.pageSize ?? 100) + 1,
  });
}

/** The statements of one request, for the SQL floor ([] when the API needs none). */
export function statementsFor(
  r: { procedure: string; input: Input },
  figures: RollupFigures | undefined,
): Statement[] {
  switch (r.procedure) {
    case "orders.byKey":
      return [byKeyStatement(TABLE, Number(r.input.orderKey))];
    case "orders.list":
      return [listStatement(r.input, figures)];
    case "orders.stream":
      return [streamStatementOf(r.input)];
    default:
      return [];
  }
}
