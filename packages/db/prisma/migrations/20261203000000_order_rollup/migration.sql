-- Exact counts of the synced orders table per (bucket, status, priority) along three dimensions: order day
-- ('d', days since 1970-01-01), total-price bucket ('p', floor(price / 100)) and order-key bucket ('k',
-- key >> 15). The API rebuilds it when the synced table changes and applies the status overrides on top: counts,
-- stats and deep-page seeks then cost the same at any table size. Read and written with plain SQL (pg), not
-- through Prisma models: it is a cache of the synced table, rebuilt whole.
CREATE TABLE "app_data"."order_rollup" (
    "table_name" TEXT NOT NULL,
    "dim" TEXT NOT NULL,
    "bucket" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "priority" TEXT NOT NULL,
    "n" BIGINT NOT NULL,
    CONSTRAINT "order_rollup_pkey" PRIMARY KEY ("table_name", "dim", "bucket", "status", "priority"),
    CONSTRAINT "order_rollup_dim_check" CHECK ("dim" IN ('d', 'p', 'k'))
);

-- One row per synced table: the table's signature when the rollup was built (oid.relfilenode.writes).
CREATE TABLE "app_data"."order_rollup_state" (
    "table_name" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "built_at" TIMESTAMPTZ(3) NOT NULL,
    "build_ms" INTEGER NOT NULL,
    "row_count" BIGINT NOT NULL,
    CONSTRAINT "order_rollup_state_pkey" PRIMARY KEY ("table_name")
);
