-- The journal of Lakebase lifecycle operations (create, delete, stop, start), shared by every process of the
-- app: a running row is the cross-process lease (its holder renews lease_until while it works), a row left
-- running with an expired lease is an operation whose process died, resumed or reported by the next one.
CREATE TABLE "app_data"."lakebase_operation" (
    "id" UUID NOT NULL,
    "instance_name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "step" TEXT NOT NULL,
    "lease_until" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),
    "outcome" TEXT NOT NULL DEFAULT 'running',
    "error" TEXT,
    CONSTRAINT "lakebase_operation_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "lakebase_operation_kind_check" CHECK ("kind" IN ('create', 'delete', 'stop', 'start')),
    CONSTRAINT "lakebase_operation_outcome_check" CHECK ("outcome" IN ('running', 'succeeded', 'failed'))
);
-- At most one running operation per instance: the insert that claims the lease fails on this for a loser.
CREATE UNIQUE INDEX "lakebase_operation_running_key"
    ON "app_data"."lakebase_operation"("instance_name") WHERE "finished_at" IS NULL;
CREATE INDEX "lakebase_operation_instance_name_started_at_idx"
    ON "app_data"."lakebase_operation"("instance_name", "started_at" DESC);
