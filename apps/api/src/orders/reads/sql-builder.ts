import type { OrderFilters } from "../schemas.ts";

// How the orders reads' SQL is written: text and parameters built together, the filters (with the status
// overlay's two sources), the day bound the rollup supplies, and a name per statement text.

/** One statement. `name` set: prepared once per connection and reused (a named prepared statement). */
export interface Statement {
  readonly name: string | undefined;
  readonly text: string;
  readonly values: unknown[];
}

/** The app's status overrides: the synced table is read-only, so changes live here and win over it. */
export const STATUS_TABLE = `"app_data"."order_status"`;

/**
 * The first and last order day holding rows of the synced status/priority the filters ask for (from the
 * rollup; null: none). Order day, status and priority are correlated (TPC-H's pending orders sit in a few
 * months), so a planner that assumes independence walks a sort index through millions of rows looking for
 * matches that are not there; bounding the day makes the right plan obvious and the wrong one cheap.
 */
export interface DaySpan {
  from: string;
  to: string;
}

/** Builds one statement's text and its parameters together, so placeholders always match values. */
export class SqlBuilder {
  readonly values: unknown[] = [];

  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /**
   * WHERE for the filters and `extra` conditions, over the synced table `o`. The status filter applies to
   * the overlaid status (`overlay`), or to one of its two sources: rows whose synced status it is and that
   * have no override (`synced`, an indexable column test), and rows whose override it is (`override`).
   */
  where(
    f: OrderFilters,
    extra: string[] = [],
    status: "overlay" | "synced" | "override" = "overlay",
  ): string {
    const conditions = [...extra];
    if (f.priority) conditions.push(`o.o_orderpriority = ${this.param(f.priority)}`);
    if (f.dateFrom) conditions.push(`o.o_orderdate >= ${this.param(f.dateFrom)}::date`);
    if (f.dateTo) conditions.push(`o.o_orderdate <= ${this.param(f.dateTo)}::date`);
    if (f.status) {
      const s = this.param(f.status);
      const overridden = `SELECT x.order_key FROM ${STATUS_TABLE} x`;
      if (status === "synced") {
        conditions.push(
          `o.o_orderstatus = ${s} AND NOT EXISTS (SELECT 1 FROM ${STATUS_TABLE} x WHERE x.order_key = o.o_orderkey)`,
        );
      } else if (status === "override") {
        conditions.push(`o.o_orderkey IN (${overridden} WHERE x.status = ${s})`);
      } else {
        // Overrides are few: the synced status decides unless an override exists. Both sub-selects become
        // hashed sub-plans over the small status table.
        conditions.push(`((o.o_orderstatus = ${s} AND o.o_orderkey NOT IN (${overridden}))
          OR o.o_orderkey IN (${overridden} WHERE x.status = ${s}))`);
      }
    }
    return conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
  }

  /** Conditions bounding the order date to the days that can hold matches (see DaySpan). */
  span(span: DaySpan | null | undefined): string[] {
    if (span === undefined) return [];
    if (span === null) return ["false"];
    return [
      `o.o_orderdate >= ${this.param(span.from)}::date`,
      `o.o_orderdate <= ${this.param(span.to)}::date`,
    ];
  }

  statement(text: string, prepared: boolean): Statement {
    return { name: prepared ? statementName(text) : undefined, text, values: this.values };
  }
}

export const hasFilters = (f: OrderFilters) => Boolean(f.status || f.priority || f.dateFrom || f.dateTo);

// One name per distinct text for the life of the process: node-postgres prepares a name once per connection
// and refuses the same name with another text. The texts are shapes, not values, but a few shapes carry a
// literal LIMIT (see pageStatement) and the page size is the client's to choose (1-1000): only shapes at the
// usual page sizes (NAMED_LIMITS) ask for a name, so the texts that can be named are a fixed few (the six
// sorts' first pages and the four keyset shapes at each of those sizes, and the lookup by key: 91), all under
// MAX_PREPARED. No client can use the names up: a first page at any other size runs unnamed, as the filtered
// shapes always do, and neither this map nor any connection's prepared statements grow with what clients send.
export const NAMED_LIMITS: ReadonlySet<number> = new Set([10, 20, 25, 50, 100, 200, 250, 500, 1000]);
export const MAX_PREPARED = 128;
const names = new Map<string, string>();
export function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_PREPARED) return undefined;
    name = `orders_${names.size + 1}`;
    names.set(text, name);
  }
  return name;
}
