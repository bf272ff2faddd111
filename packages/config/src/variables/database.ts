import { z } from "zod";
import { type Variable, variable } from "./declare.ts";
import { int } from "./value-types.ts";

// The database variables (the app's pool and migrations).
export const DATABASE_VARIABLES = {
  DB_POOL_MAX: variable(
    "database",
    int(1, 200),
    "10",
    "Connections in the primary pool (and in the read pool).",
  ),
  MIGRATIONS_DIR: variable(
    "database",
    z.string().min(1),
    "packages/db/prisma/migrations",
    "The app_data SQL migrations (the deployed bundle sets its own).",
  ),
  MIGRATION_LOCK_TIMEOUT_SECONDS: variable(
    "database",
    int(1, 3600),
    "60",
    "How long migrations wait for another process's migration lock before failing with the holder's name.",
  ),
  DB_STARTUP_RETRY_MAX_SECONDS: variable(
    "database",
    int(1, 300),
    "5",
    "Longest pause between attempts to reach and migrate the database while it is down (the server listens meanwhile).",
  ),
  ORDERS_READ_AS_USER: variable(
    "database",
    z.enum(["on", "off"]),
    "off",
    "Orders reads (list, count, stats, export, REST) of a signed-in user run on a connection logged in as that user (Apps user authorization with the `postgres` scope), so PostgreSQL's grants and row-level security decide what they see.",
  ),
  USER_POOL_MAX: variable(
    "database",
    int(1, 20),
    "3",
    "Connections per signed-in user with ORDERS_READ_AS_USER=on.",
  ),
  USER_POOLS_MAX_CONNECTIONS: variable(
    "database",
    int(1, 4000),
    "100",
    "Connections of all users together with ORDERS_READ_AS_USER=on: keep it below the endpoint's limit (about 210 per CU) minus the app's own pools, for every app replica.",
  ),
  USER_POOL_IDLE_SECONDS: variable(
    "database",
    int(1, 3600),
    "30",
    "A user's idle connections close after this long, and their pool is dropped.",
  ),
  USER_POOL_WAIT_MILLIS: variable(
    "database",
    int(0, 60_000),
    "2000",
    "How long a read waits for a connection when every user connection is taken; then 503 with Retry-After.",
  ),
} as const satisfies Record<string, Variable>;
