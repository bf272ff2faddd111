-- Every committed status change, numbered in commit order: the change feed that every app process (each
-- worker of each container, whatever the deploy) follows to learn what others changed: which cached figures
-- to correct and who has just written (read-your-writes across containers). A writer takes the feed's
-- advisory lock before it draws its number and holds it until its commit, so numbers commit in order and a
-- reader that has seen number N has seen every change before it. Rows carry what a reader needs to correct
-- its figures without asking the database (the order's synced status, day, priority and price), and are
-- pruned after a day: a process that was away longer starts over from the tables. NOTIFY (channel
-- lakebase_orders_changes, the row as JSON) is the fast path; the table is the truth a reconnect catches up from.
CREATE TABLE "app_data"."order_change" (
    "seq" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "order_key" BIGINT NOT NULL,
    "previous_status" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "synced_status" TEXT NOT NULL,
    "order_date" DATE NOT NULL,
    "priority" TEXT NOT NULL,
    "total_price" DECIMAL(18,2) NOT NULL,
    CONSTRAINT "order_change_pkey" PRIMARY KEY ("seq")
);
CREATE INDEX "order_change_at_idx" ON "app_data"."order_change"("at");
