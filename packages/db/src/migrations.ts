// Applies prisma/migrations/<timestamp>_<name>/migration.sql over plain `pg`: Prisma's migrate engine is a
// native binary that cannot be downloaded offline, and Prisma 7 has no adapter-driven migrate path. The
// folder layout stays Prisma's, so `prisma migrate deploy` remains usable where the engine exists.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

// The deployed app is a bundle where this layout does not exist: it passes its own folder (MIGRATIONS_DIR).
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations/", import.meta.url));

// One fixed key for every replica of the app: pg_advisory_lock(bigint). Arbitrary, but must never change.
const LOCK_KEY = "7220191813540321371";

export interface Migration {
  /** Folder name, e.g. "20261121000000_app_data"; migrations run in name order. */
  readonly name: string;
  readonly sql: string;
  /** sha256 (hex) of migration.sql's bytes. */
  readonly checksum: string;
}

export interface RunMigrationsOptions {
  /** Used when no client is given; the runner opens and closes its own connection. */
  connectionString?: string;
  /** A connected client; left open. The runner holds a session-level advisory lock on it while it runs. */
  client?: pg.ClientBase;
  migrationsDir?: string;
  log?: (event: Record<string, unknown>) => void;
}

export interface RunMigrationsResult {
  applied: string[];
  alreadyApplied: string[];
}

export type MigrationProblem = "checksum_mismatch" | "missing_migration" | "invalid_folder" | "failed";

export class MigrationError extends Error {
  override readonly name = "MigrationError";
  readonly problem: MigrationProblem;
  readonly migration: string;

  constructor(problem: MigrationProblem, migration: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.problem = problem;
    this.migration = migration;
  }
}

const FOLDER = /^\d{14}_[A-Za-z0-9_-]+$/;

/** The migrations on disk, in the order they apply. */
export async function listMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const folders = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrations: Migration[] = [];
  for (const name of folders) {
    if (!FOLDER.test(name)) {
      throw new MigrationError(
        "invalid_folder",
        name,
        `migration folder "${name}" is not <14-digit timestamp>_<name>`,
      );
    }
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(path.join(dir, name, "migration.sql"));
    } catch (error) {
      throw new MigrationError("invalid_folder", name, `migration "${name}" has no migration.sql`, {
        cause: error,
      });
    }
    migrations.push({
      name,
      sql: bytes.toString("utf8"),
      checksum: createHash("sha256").update(bytes).digest("hex"),
    });
  }
  return migrations;
}

/**
 * Applies every migration not yet recorded in app_data._migrations, each in its own transaction with its
 * record. Safe to call from several replicas at once: they queue on an advisory lock and the later ones
 * find nothing left to do. Refuses to run when a recorded migration was edited or deleted.
 */
export async function runMigrations(options: RunMigrationsOptions = {}): Promise<RunMigrationsResult> {
  const log = options.log ?? (() => undefined);
  // Read the files first: a broken folder should fail before touching the database.
  const migrations = await listMigrations(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  let client = options.client;
  let own: pg.Client | undefined;
  if (!client) {
    if (!options.connectionString) throw new Error("runMigrations needs a client or a connectionString");
    own = new pg.Client({
      connectionString: options.connectionString,
      application_name: "lakebase-orders-migrate",
    });
    // Without a listener a dropped connection would crash the process; the pending query rejects anyway.
    own.on("error", (error) => log({ event: "migrations_connection_error", error: error.message }));
    await own.connect();
    client = own;
  }
  try {
    const waited = performance.now();
    await client.query("SELECT pg_advisory_lock($1::bigint)", [LOCK_KEY]);
    log({ event: "migrations_locked", waitedMs: Math.round(performance.now() - waited) });
    try {
      return await applyPending(client, migrations, log);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1::bigint)", [LOCK_KEY]);
    }
  } finally {
    await own?.end();
  }
}

async function applyPending(
  client: pg.ClientBase,
  migrations: Migration[],
  log: (event: Record<string, unknown>) => void,
): Promise<RunMigrationsResult> {
  // Under the lock, so concurrent first runs do not race on CREATE SCHEMA.
  await client.query("CREATE SCHEMA IF NOT EXISTS app_data");
  await client.query(`CREATE TABLE IF NOT EXISTS app_data._migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    duration_ms integer NOT NULL
  )`);
  const recorded = await client.query<{ name: string; checksum: string }>(
    "SELECT name, checksum FROM app_data._migrations ORDER BY name",
  );
  const onDisk = new Map(migrations.map((m) => [m.name, m]));
  for (const row of recorded.rows) {
    const migration = onDisk.get(row.name);
    if (!migration) {
      throw new MigrationError(
        "missing_migration",
        row.name,
        `migration "${row.name}" is recorded as applied but its folder is missing; restore it`,
      );
    }
    if (migration.checksum !== row.checksum) {
      throw new MigrationError(
        "checksum_mismatch",
        row.name,
        `migration "${row.name}" was changed after it was applied (checksum ${migration.checksum.slice(0, 12)}, ` +
          `recorded ${row.checksum.slice(0, 12)}); add a new migration instead of editing an applied one`,
      );
    }
  }

  const done = new Set(recorded.rows.map((r) => r.name));
  const result: RunMigrationsResult = { applied: [], alreadyApplied: [] };
  for (const migration of migrations) {
    if (done.has(migration.name)) {
      result.alreadyApplied.push(migration.name);
      continue;
    }
    const started = performance.now();
    await client.query("BEGIN");
    try {
      await client.query(migration.sql);
      const durationMs = Math.round(performance.now() - started);
      await client.query(
        "INSERT INTO app_data._migrations (name, checksum, duration_ms) VALUES ($1, $2, $3)",
        [migration.name, migration.checksum, durationMs],
      );
      await client.query("COMMIT");
      result.applied.push(migration.name);
      log({ event: "migration_applied", name: migration.name, durationMs });
    } catch (error) {
      // A lost connection makes ROLLBACK fail too: report the migration's own error, not that one.
      await client.query("ROLLBACK").catch(() => undefined);
      log({ event: "migration_failed", name: migration.name, error: (error as Error).message });
      throw new MigrationError(
        "failed",
        migration.name,
        `migration "${migration.name}" failed: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
  log({ event: "migrations_done", applied: result.applied, alreadyApplied: result.alreadyApplied.length });
  return result;
}

/** Runs the migrations on a client of the pool (it holds the advisory lock), then gives the client back. */
export async function migratePool(
  pool: pg.Pool,
  options: Omit<RunMigrationsOptions, "client" | "connectionString"> = {},
): Promise<RunMigrationsResult> {
  const client = await pool.connect();
  try {
    return await runMigrations({ ...options, client });
  } finally {
    client.release();
  }
}
