// What the bench's HTTP and SQL floors share with the API (package export `@lakebase-orders/api/orders-sql`):
// the orders' statements as the API sends them, its pages and cursors, and its rollup's figures, so a floor
// does the API's database work without its stack instead of a copy of it; and the indexes the admin's create
// asks of the synced table's pipeline (the scale-factor-10 bench creates a table with them).
export { pipelineIndexes } from "./indexes/pipeline-indexes.ts";
export { listPage, streamPage } from "./reads/pages.ts";
export { queryConfig } from "./reads/read-path.ts";
export type { Statement } from "./reads/sql-builder.ts";
export {
  byKeyStatement,
  DEFERRED_JOIN_FROM,
  pageStatement,
  streamStatement,
} from "./reads/statements.ts";
export { buildFigures, type RollupFigures } from "./rollup/rollup.ts";
export { loadCorrections, loadRollup } from "./rollup/sql.ts";
export type { OrderFilters, OrderSort } from "./schemas.ts";
