-- Saved views of the orders screen (issue 16): a name for a set of filters, a sort and columns, per user.
-- The id is random and unguessable: a link holding it opens the view for whoever follows it (sharing), while
-- only the owner lists, renames or deletes it. Limits here repeat the API's zod bounds, so no other writer
-- can store what the API would refuse.
CREATE TABLE "app_data"."saved_views" (
    "id" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "search" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "saved_views_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "saved_views_id_check" CHECK ("id" ~ '^[A-Za-z0-9_-]{16,64}$'),
    CONSTRAINT "saved_views_owner_check" CHECK (char_length("owner") BETWEEN 1 AND 320),
    CONSTRAINT "saved_views_name_check" CHECK (char_length("name") BETWEEN 1 AND 80),
    CONSTRAINT "saved_views_search_check" CHECK (jsonb_typeof("search") = 'object' AND octet_length("search"::text) <= 2048)
);
-- One name per owner (saving under an existing name replaces that view); the owner's list, newest first.
CREATE UNIQUE INDEX "saved_views_owner_name_key" ON "app_data"."saved_views"("owner", "name");
CREATE INDEX "saved_views_owner_updated_at_idx" ON "app_data"."saved_views"("owner", "updated_at" DESC);
