-- The write that recorded each change (a random id per status change, kept across its attempts): a change whose
-- connection was lost has an unknown outcome, and the app sends it once more; the id finds it if the first
-- attempt was committed, and the unique index refuses a second row if both attempts race. Older rows have none.
ALTER TABLE "app_data"."order_change" ADD COLUMN "write_id" UUID;
CREATE UNIQUE INDEX "order_change_write_id_key" ON "app_data"."order_change"("write_id");
