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
} as const satisfies Record<string, Variable>;
