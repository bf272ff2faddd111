// pnpm db:migrate: applies prisma/migrations to DATABASE_URL (or LAKEBASE_PG_URL), printing JSON lines.
import { MigrationError, runMigrations } from "./migrations.ts";

function print(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...event })}\n`);
}

const connectionString = process.env.DATABASE_URL || process.env.LAKEBASE_PG_URL;
if (!connectionString) {
  process.stderr.write(
    "db:migrate needs a database: set DATABASE_URL or LAKEBASE_PG_URL to postgresql://user:password@host:port/db\n",
  );
  process.exit(2);
}

try {
  // The URL is never printed: it may hold a password or an OAuth token.
  const result = await runMigrations({ connectionString, log: print });
  print({ event: "migrate_finished", applied: result.applied, alreadyApplied: result.alreadyApplied });
} catch (error) {
  print({
    event: "migrate_failed",
    ...(error instanceof MigrationError ? { problem: error.problem, migration: error.migration } : {}),
    error: error instanceof Error ? error.message : String(error),
  });
  process.exit(1);
}
