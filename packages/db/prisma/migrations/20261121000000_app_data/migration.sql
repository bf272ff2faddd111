-- The app's own tables. The synced orders table (public.orders_synced) is external: created and filled by
-- the Databricks sync pipeline (locally by lakebase-local or the tpch loader), never by a migration.
CREATE SCHEMA IF NOT EXISTS "app_data";

CREATE TABLE "app_data"."order_status" (
    "order_key" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT NOT NULL,
    CONSTRAINT "order_status_pkey" PRIMARY KEY ("order_key"),
    CONSTRAINT "order_status_status_check" CHECK ("status" IN ('F', 'O', 'P'))
);
CREATE INDEX "order_status_status_idx" ON "app_data"."order_status"("status");

CREATE TABLE "app_data"."order_status_history" (
    "id" BIGSERIAL NOT NULL,
    "order_key" BIGINT NOT NULL,
    "previous_status" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "changed_by" TEXT NOT NULL,
    "request_id" TEXT,
    CONSTRAINT "order_status_history_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "order_status_history_order_key_changed_at_idx"
    ON "app_data"."order_status_history"("order_key", "changed_at" DESC);

CREATE TABLE "app_data"."admin_audit" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "input" JSONB,
    "outcome" TEXT NOT NULL,
    "detail" JSONB,
    "request_id" TEXT,
    CONSTRAINT "admin_audit_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "admin_audit_at_idx" ON "app_data"."admin_audit"("at" DESC);
