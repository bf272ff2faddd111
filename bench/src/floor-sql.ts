// The SQL the orders API runs, as plain parameterised statements for the floors (bare pg, bare node:http).
// A copy of apps/api/src/orders/order-sql.ts + orders-store.ts as they are before issue #15: keep in step.

export interface Statement {
  name: string;
  text: string;
  values: unknown[];
}

export type Filters = { status?: string; priority?: string; dateFrom?: string; dateTo?: string };
export type ListArgs = Filters & { page: number; pageSize: number; sort: string; includeCount?: boolean };
export type StreamArgs = Filters & { cursor?: number | null; pageSize: number; direction?: string };

const T = `"public"."orders_synced"`;
const STATUS = `"app_data"."order_status"`;
const COLUMNS = `o.o_orderkey AS "orderKey", o.o_custkey AS "custKey",
    COALESCE(s.status, o.o_orderstatus) AS status, o.o_totalprice::text AS "totalPrice",
    to_char(o.o_orderdate, 'YYYY-MM-DD') AS "orderDate", o.o_orderpriority AS priority, o.o_clerk AS clerk,
    o.o_shippriority AS "shipPriority", o.o_comment AS comment`;
const ORDER_BY: Record<string, string> = {
  orderKey: "o.o_orderkey ASC",
  "-orderKey": "o.o_orderkey DESC",
  orderDate: "o.o_orderdate ASC, o.o_orderkey ASC",
  "-orderDate": "o.o_orderdate DESC, o.o_orderkey DESC",
  totalPrice: "o.o_totalprice ASC, o.o_orderkey ASC",
  "-totalPrice": "o.o_totalprice DESC, o.o_orderkey DESC",
};
const DEFERRED_JOIN_FROM = 1000;

/** Statement names: one per distinct text, as a server with named prepared statements keeps them. */
const names = new Map<string, string>();
function stmt(text: string, values: unknown[]): Statement {
  let name = names.get(text);
  if (!name) {
    name = `floor_${names.size}`;
    names.set(text, name);
  }
  return { name, text, values };
}

function where(f: Filters, values: unknown[], extra: string[] = []): string {
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const c = [...extra];
  if (f.priority) c.push(`o.o_orderpriority = ${p(f.priority)}`);
  if (f.dateFrom) c.push(`o.o_orderdate >= ${p(f.dateFrom)}::date`);
  if (f.dateTo) c.push(`o.o_orderdate <= ${p(f.dateTo)}::date`);
  if (f.status) {
    const a = p(f.status);
    const b = p(f.status);
    c.push(`((o.o_orderstatus = ${a}
          AND o.o_orderkey NOT IN (SELECT x.order_key FROM ${STATUS} x))
        OR o.o_orderkey IN (SELECT x.order_key FROM ${STATUS} x WHERE x.status = ${b}))`);
  }
  return c.length > 0 ? `WHERE ${c.join(" AND ")}` : "";
}

export function byKeySql(orderKey: number): Statement[] {
  return [
    stmt(
      `SELECT ${COLUMNS} FROM ${T} o LEFT JOIN ${STATUS} s ON s.order_key = o.o_orderkey WHERE o.o_orderkey = $1`,
      [orderKey],
    ),
  ];
}

export function listSql(a: ListArgs): Statement[] {
  const values: unknown[] = [];
  const w = where(a, values);
  const orderBy = ORDER_BY[a.sort] ?? ORDER_BY.orderKey;
  const offset = (a.page - 1) * a.pageSize;
  values.push(a.pageSize + 1, offset);
  const lim = `LIMIT $${values.length - 1} OFFSET $${values.length}`;
  const page =
    offset < DEFERRED_JOIN_FROM
      ? `SELECT ${COLUMNS} FROM ${T} o LEFT JOIN ${STATUS} s ON s.order_key = o.o_orderkey ${w} ORDER BY ${orderBy} ${lim}`
      : `WITH page AS MATERIALIZED (SELECT o.o_orderkey FROM ${T} o ${w} ORDER BY ${orderBy} ${lim})
         SELECT ${COLUMNS} FROM page p JOIN ${T} o ON o.o_orderkey = p.o_orderkey
         LEFT JOIN ${STATUS} s ON s.order_key = o.o_orderkey ORDER BY ${orderBy}`;
  const out = [stmt(page, values)];
  if (a.includeCount) out.push(...countSql(a));
  return out;
}

export function streamSql(a: StreamArgs): Statement[] {
  const values: unknown[] = [];
  const backward = a.direction === "backward";
  const cmp = backward ? "<" : ">";
  let bound: string[] = [];
  let overrideBound = "";
  if (a.cursor != null) {
    values.push(a.cursor, a.cursor);
    overrideBound = `AND s.order_key ${cmp} $1`;
    bound = [`o.o_orderkey ${cmp} $2`];
  }
  const w = where(a, values, bound);
  values.push(a.pageSize + 1);
  return [
    stmt(
      `SELECT ${COLUMNS} FROM ${T} o LEFT JOIN ${STATUS} s ON s.order_key = o.o_orderkey ${overrideBound}
       ${w} ORDER BY o.o_orderkey ${backward ? "DESC" : "ASC"} LIMIT $${values.length}`,
      values,
    ),
  ];
}

export function countSql(f: Filters): Statement[] {
  const values: unknown[] = [];
  return [stmt(`SELECT count(*) AS n FROM ${T} o ${where(f, values)}`, values)];
}

export function statsSql(f: Filters): Statement[] {
  const values: unknown[] = [];
  return [
    stmt(
      `SELECT COALESCE(s.status, o.o_orderstatus) AS status, o.o_orderpriority AS priority, count(*) AS n
       FROM ${T} o LEFT JOIN ${STATUS} s ON s.order_key = o.o_orderkey ${where(f, values)} GROUP BY 1, 2`,
      values,
    ),
  ];
}
