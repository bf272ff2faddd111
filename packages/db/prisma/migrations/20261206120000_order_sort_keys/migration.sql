-- Revenue per rollup cell, in cents (exact): the trend reads orders and revenue per month off the rollup's day
-- dimension instead of scanning the synced table. Rollups built before this column have no revenue: their
-- state is dropped, so the API rebuilds them at its next check.
ALTER TABLE "app_data"."order_rollup" ADD COLUMN "cents" BIGINT NOT NULL DEFAULT 0;
DELETE FROM "app_data"."order_rollup_state";

-- The app's own copy of the synced table's sort and filter columns (its "projection"), for when the synced
-- table lacks the indexes the sorts need and the app may not build them there (Databricks makes the pipeline's
-- role its owner; the app's service principal only reads it). The API fills it, indexes it, keeps it in step
-- with the synced table and finds each page's keys in it (apps/api/src/orders/indexes/projection.ts); the rows
-- themselves are still read from the synced table. A rebuild fills a twin and swaps it in, so this table and its
-- indexes may be recreated by the API at run time with the same shape and names.
CREATE TABLE "app_data"."order_keys" (
    "o_orderkey" BIGINT NOT NULL,
    "o_orderdate" DATE,
    "o_totalprice" DECIMAL(18,2),
    "o_orderstatus" TEXT,
    "o_orderpriority" TEXT,
    CONSTRAINT "order_keys_pkey" PRIMARY KEY ("o_orderkey")
);

-- What the projection holds: which synced table, as of which of its states (oid.relfilenode and write
-- counters), and from which transaction on its next catch-up must look for changed rows.
CREATE TABLE "app_data"."order_keys_state" (
    "table_name" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "horizon" BIGINT NOT NULL,
    "deletes" BIGINT NOT NULL,
    "built_at" TIMESTAMPTZ(3) NOT NULL,
    "synced_at" TIMESTAMPTZ(3) NOT NULL,
    "sync_ms" INTEGER NOT NULL,
    "row_count" BIGINT NOT NULL,
    CONSTRAINT "order_keys_state_pkey" PRIMARY KEY ("table_name")
);
