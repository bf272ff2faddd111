import pg from "pg";
import { pageStatement, shouldCollect } from "../apps/api/src/orders/order-statements.ts";
import { loadFigures } from "./src/floor-sql.ts";

const c = new pg.Client({ connectionString: process.argv[2]! });
await c.connect();
const figures = await loadFigures(c as never);
const filters = JSON.parse(process.argv[4]!);
const s = pageStatement('"public"."orders_synced"', {
  filters,
  sort: process.argv[3] as never,
  offset: Number(process.argv[5] ?? 0),
  limit: 101,
  span: figures?.span(filters),
  collect:
    !!figures &&
    shouldCollect(
      figures.count(filters),
      figures.count(filters.status ? { status: filters.status } : {}),
      101,
    ),
});
console.log("count", figures?.count(filters), "collect", s.text.includes("WITH m"));
const r = await c.query({ text: "EXPLAIN (ANALYZE, BUFFERS) " + s.text, values: s.values });
console.log(r.rows.map((x) => x["QUERY PLAN"]).join("\n"));
await c.end();
