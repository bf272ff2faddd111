// Applies prisma/migrations/<timestamp>_<name>/migration.sql over plain `pg`: Prisma's migrate engine is a
// native binary that cannot be downloaded offline, and Prisma 7 has no adapter-driven migrate path. The
// folder layout stays Prisma's, so `prisma migrate deploy` remains usable where the engine exists.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { splitStatements } from "./sql-statements.ts";

// The deployed app is a bundle where this layout does not exist: it passes its own folder (MIGRATIONS_DIR).
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations/", import.meta.url));

// One fixed key for every replica of the app: pg_advisory_lock(bigint). Arbitrary, but must never change.
// Exported for tests that hold it, as a replica migrating for a long time would.
export const MIGRATION_LOCK_KEY = "7220191813540321371";

/** How long a runner waits for another one's migration lock before it gives up with the holder's name. */
export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

// The first lines of a migration that must not run in a transaction (e.g. CREATE INDEX CONCURRENTLY) say so.
const NO_TRANSACTION = /^(?:\s*--[^\n]*\n)*?\s*--\s*migration:\s*no-transaction\b/;

export interface Migration {
  /** Folder name, e.g. "20261121000000_app_data"; migrations run in name order. */
  readonly name: string;
  readonly sql: string;
  /** sha256 (hex) of migration.sql's bytes. */
  readonly checksum: string;
  /**
   * Declared by a leading `-- migration: no-transaction` line: its statements run one by one outside a
   * transaction (CREATE INDEX CONCURRENTLY needs that). Its record is written once all have succeeded; a
   * failure half-way leaves the earlier statements applied, so such a migration must be safe to run again
   * (IF NOT EXISTS, and DROP INDEX CONCURRENTLY IF EXISTS before re-creating an index a failed run left
   * INVALID).
   */
  readonly transactional: boolean;
}

export interface RunMigrationsOptions {
  /** Used when no client is given; the runner opens and closes its own connection. */
  connectionString?: string;
  /**
   * A connected client of its own (not a pool's); left open. The runner holds a session-level advisory lock
   * on it and lifts its statement timeout while it runs (a migration may legitimately take long).
   */
  client?: pg.ClientBase;
  migrationsDir?: string;
  /** How long to wait for the migration lock another runner holds (default 60 s). */
  lockTimeoutMs?: number;
  log?: (event: Record<string, unknown>) => void;
}

export interface RunMigrationsResult {
  applied: string[];
  alreadyApplied: string[];
}

export type MigrationProblem =
  | "checksum_mismatch"
  | "missing_migration"
  | "invalid_folder"
  | "failed"
  | "lock_timeout";

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
    const sql = bytes.toString("utf8");
    migrations.push({
      name,
      sql,
      checksum: createHash("sha256").update(bytes).digest("hex"),
      transactional: !NO_TRANSACTION.test(sql),
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
      application_name: MIGRATE_APPLICATION_NAME,
    });
    // Without a listener a dropped connection would crash the process; the pending query rejects anyway.
    own.on("error", (error) => log({ event: "migrations_connection_error", error: error.message }));
    await own.connect();
    client = own;
  }
  try {
    const waited = performance.now();
    await lock(client, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    log({ event: "migrations_locked", waitedMs: Math.round(performance.now() - waited) });
    // The session's own limit (a pool sets 30 s) must not kill a long migration; restored afterwards.
    await client.query("SET statement_timeout = 0");
    try {
      return await applyPending(client, migrations, log);
    } finally {
      await client.query("RESET statement_timeout").catch(() => undefined);
      await client
        .query("SELECT pg_advisory_unlock($1::bigint)", [MIGRATION_LOCK_KEY])
        .catch(() => undefined);
    }
  } finally {
    await own?.end();
  }
}

export const MIGRATE_APPLICATION_NAME = "lakebase-orders-migrate";

/**
 * Takes the migration lock, waiting at most `timeoutMs` for a runner that holds it; then fails naming the
 * session that holds it, so an operator can tell a slow migration from a stuck session.
 */
async function lock(client: pg.ClientBase, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock($1::bigint) AS locked",
      [MIGRATION_LOCK_KEY],
    );
    if (rows[0]?.locked) return;
    if (Date.now() >= deadline) break;
    await new Promise((r) =>
      setTimeout(r, Math.min(50 * 2 ** attempt, 1000, Math.max(1, deadline - Date.now()))),
    );
  }
  const holder = await client
    .query<{ pid: number; application_name: string; state: string | null; seconds: number }>(
      `SELECT a.pid, a.application_name, a.state, extract(epoch FROM now() - a.backend_start)::int AS seconds
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted
          AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint`,
      [MIGRATION_LOCK_KEY],
    )
    .then((r) => r.rows[0])
    .catch(() => undefined);
  const who = holder
    ? `held by session ${holder.pid} (application "${holder.application_name}", ${holder.state ?? "unknown state"}, connected ${holder.seconds} s ago)`
    : "held by another session";
  throw new MigrationError(
    "lock_timeout",
    "",
    `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the migration lock, ${who}: another replica is ` +
      `migrating, or a session is stuck holding it${holder ? ` (end it with SELECT pg_terminate_backend(${holder.pid}))` : ""}`,
  );
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
    const record = () =>
      client.query("INSERT INTO app_data._migrations (name, checksum, duration_ms) VALUES ($1, $2, $3)", [
        migration.name,
        migration.checksum,
        Math.round(performance.now() - started),
      ]);
    try {
      if (migration.transactional) {
        await client.query("BEGIN");
        await client.query(migration.sql);
        await record();
        await client.query("COMMIT");
      } else {
        for (const statement of splitStatements(migration.sql)) await client.query(statement);
        await record();
      }
      const durationMs = Math.round(performance.now() - started);
      result.applied.push(migration.name);
      log({
        event: "migration_applied",
        name: migration.name,
        durationMs,
        transactional: migration.transactional,
      });
    } catch (error) {
      // A lost connection makes ROLLBACK fail too: report the migration's own error, not that one.
      if (migration.transactional) await client.query("ROLLBACK").catch(() => undefined);
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

/**
 * Runs the migrations on a connection of its own to the pool's database (same host, user, token and TLS),
 * not on a pooled one: a pool's client-side query timeout would cut a long migration, and the session
 * holding the advisory lock should not go back to serving requests.
 */
export async function migratePool(
  pool: pg.Pool,
  options: Omit<RunMigrationsOptions, "client" | "connectionString"> = {},
): Promise<RunMigrationsResult> {
  // Through the pool first: it reaches the database (and learns its address, for a deferred pool) and fails
  // with the pool's own clear error when it cannot.
  (await pool.connect()).release();
  const {
    query_timeout: _q,
    statement_timeout: _s,
    lock_timeout: _l,
    idle_in_transaction_session_timeout: _i,
    ...target
  } = pool.options;
  // pg-pool keeps the password (a string or the token function) non-enumerable: the spread leaves it out.
  const client = new pg.Client({
    ...target,
    password: pool.options.password,
    application_name: MIGRATE_APPLICATION_NAME,
  });
  const log = options.log ?? (() => undefined);
  client.on("error", (error) => log({ event: "migrations_connection_error", error: error.message }));
  await client.connect();
  try {
    return await runMigrations({ ...options, client });
  } finally {
    await client.end().catch(() => undefined);
  }
}
