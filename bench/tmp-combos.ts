import { createLogger } from "@lakebase-orders/log";
import pg from "pg";
import { ensureOrderIndexes } from "../apps/api/src/orders/order-indexes.ts";
import { pageStatement, shouldCollect, streamStatement } from "../apps/api/src/orders/order-statements.ts";
import { syncedTable } from "../apps/api/src/orders/synced-table.ts";
import { loadFigures } from "./src/floor-sql.ts";

const url = process.argv[2]!;
const c = new pg.Client({ connectionString: url });
await c.connect();
if (process.argv.includes("--indexes"))
  console.log(
    await ensureOrderIndexes(
      c,
      syncedTable({
        fullName: "x.public.orders_synced",
        catalog: "x",
        schema: "public",
        table: "orders_synced",
      }),
      createLogger(),
    ),
  );
const figures = process.argv.includes("--nospan") ? undefined : await loadFigures(c as never);
console.log("figures", !!figures);
const sorts = ["orderKey", "-orderKey", "orderDate", "-orderDate", "totalPrice", "-totalPrice"] as const;
const statuses = [undefined, "F", "O", "P"];
const prios = [undefined, "1-URGENT"];
const ranges: [string | undefined, string | undefined][] = [
  [undefined, undefined],
  ["1992-01-01", "1992-12-31"],
  ["1995-06-01", "1995-06-30"],
  ["1997-01-01", undefined],
  [undefined, "1993-03-01"],
];
const out: [number, string][] = [];
const time = async (label: string, s: { text: string; values: unknown[] }) => {
  const t = performance.now();
  await c.query({ text: s.text, values: s.values });
  out.push([performance.now() - t, label]);
};
for (const sort of sorts)
  for (const status of statuses)
    for (const priority of prios)
      for (const [dateFrom, dateTo] of ranges) {
        const filters = JSON.parse(JSON.stringify({ status, priority, dateFrom, dateTo }));
        const hasF = Object.keys(filters).length > 0;
        if (figures && hasF && figures.count(filters) === 0) {
          out.push([0, `list ${sort} ${JSON.stringify(filters)} (empty)`]);
          continue;
        }
        await time(
          `list ${sort} ${JSON.stringify(filters)}`,
          pageStatement('"public"."orders_synced"', {
            filters,
            sort,
            offset: 0,
            limit: 101,
            span: figures && hasF ? figures.span(filters) : undefined,
            collect:
              !!figures &&
              hasF &&
              shouldCollect(
                figures.count(filters),
                figures.count(filters.status ? { status: filters.status } : {}),
                101,
              ),
          }),
        );
      }
for (const status of statuses)
  for (const priority of prios)
    for (const [dateFrom, dateTo] of ranges) {
      const filters = JSON.parse(JSON.stringify({ status, priority, dateFrom, dateTo }));
      const hasF = Object.keys(filters).length > 0;
      if (figures && hasF && figures.count(filters) === 0) {
        out.push([0, `stream ${JSON.stringify(filters)} (empty)`]);
        continue;
      }
      await time(
        `stream ${JSON.stringify(filters)}`,
        streamStatement('"public"."orders_synced"', {
          filters,
          cursor: 3000000,
          backward: false,
          limit: 101,
          span: figures && hasF ? figures.span(filters) : undefined,
          collect:
            !!figures &&
            hasF &&
            shouldCollect(
              figures.count(filters),
              figures.count(filters.status ? { status: filters.status } : {}),
              101,
            ),
        }),
      );
    }
out.sort((a, b) => b[0] - a[0]);
for (const [ms, what] of out.slice(0, Number(process.argv[3] ?? 25)))
  console.log(ms.toFixed(1).padStart(8), what);
console.log(
  "combos",
  out.length,
  "over 50 ms:",
  out.filter((o) => o[0] > 50).length,
  "empty:",
  out.filter((o) => o[1].endsWith("(empty)")).length,
);
await c.end();
