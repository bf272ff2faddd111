import { z } from "zod";
import { type Variable, variable } from "./declare.ts";
import { INSTANCE, int, resourceId, threePart, ucIdent } from "./value-types.ts";

// The lakebase variables (the resources; defaults match the local Lakebase's seed).
export const LAKEBASE_VARIABLES = {
  LAKEBASE_INSTANCE_NAME: variable(
    "lakebase",
    z.string().regex(INSTANCE, "lowercase letters, digits and hyphens, starting with a letter, at most 63"),
    "orders-local",
    "Lakebase Provisioned: the database instance, managed by the admin and the scope of the Postgres tokens. With an Autoscaling target: the project's name in the database API, which the admin manages (default: the project id).",
  ),
  LAKEBASE_PROJECT_ID: variable(
    "lakebase",
    resourceId,
    "",
    "Lakebase Autoscaling: the project (instead of LAKEBASE_ENDPOINT); the admin manages it, its branches and endpoints.",
  ),
  LAKEBASE_BRANCH_ID: variable(
    "lakebase",
    resourceId,
    "production",
    "Autoscaling: the branch of LAKEBASE_PROJECT_ID the app reads and writes.",
  ),
  LAKEBASE_ENDPOINT_ID: variable(
    "lakebase",
    resourceId,
    "primary",
    "Autoscaling: the read-write endpoint of that branch the app connects to.",
  ),
  LAKEBASE_CATALOG_NAME: variable(
    "lakebase",
    ucIdent,
    "orders_catalog",
    "Unity Catalog catalog of the database.",
  ),
  LAKEBASE_DATABASE_NAME: variable(
    "lakebase",
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/, "a Postgres database name"),
    "orders",
    "Postgres database holding the synced table and app_data (unless PGDATABASE or a URL names one).",
  ),
  LAKEBASE_SYNCED_TABLE: variable(
    "lakebase",
    threePart,
    "<catalog>.public.orders_synced",
    "The synced orders table, catalog.schema.table; its schema is the Postgres schema.",
  ),
  LAKEBASE_SOURCE_TABLE: variable(
    "lakebase",
    threePart,
    "samples.tpch.orders",
    "Delta table the sync reads.",
  ),
  SYNCED_TABLE_STORAGE_CATALOG: variable(
    "lakebase",
    ucIdent,
    "main",
    "Catalog where the sync pipeline keeps state.",
  ),
  SYNCED_TABLE_STORAGE_SCHEMA: variable(
    "lakebase",
    ucIdent,
    "default",
    "Schema where the sync pipeline keeps state.",
  ),
  LAKEBASE_OPERATION_LEASE_SECONDS: variable(
    "lakebase",
    int(2, 3600),
    "30",
    "How long a create/delete/stop/start stays claimed after its process's last heartbeat; then another process resumes or reports it.",
  ),
  LAKEBASE_STATUS_POLL_SECONDS: variable(
    "lakebase",
    int(1, 600),
    "2",
    "How often the Lakebase status is re-read while something is running or moving (and while an operation waits).",
  ),
  LAKEBASE_SETTLED_POLL_SECONDS: variable(
    "lakebase",
    int(1, 3600),
    "15",
    "How often it is re-read while progress subscribers watch a settled state (changes made elsewhere show up).",
  ),
} as const satisfies Record<string, Variable>;
