import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createDb } from "./create-db.ts";
import {
  DEFAULT_MIGRATIONS_DIR,
  listMigrations,
  MigrationError,
  migratePool,
  runMigrations,
} from "./migrations.ts";

const databases: TestDatabase[] = [];
const tempDirs: string[] = [];

async function freshDatabase(label: string): Promise<TestDatabase> {
  const db = await createTestDatabase(label);
  databases.push(db);
  return db;
}

/** A private copy of the real migrations folder, free to edit. */
async function copyOfMigrations(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "migrations-"));
  tempDirs.push(dir);
  await fs.cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

async function addMigration(dir: string, name: string, sql: string): Promise<void> {
  await fs.mkdir(path.join(dir, name));
  await fs.writeFile(path.join(dir, name, "migration.sql"), sql);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function tables(url: string, schema: string): Promise<string[]> {
  const rows = await query<{ table_name: string }>(
    url,
    `SELECT table_name FROM information_schema.tables WHERE table_schema = '${schema}' ORDER BY 1`,
  );
  return rows.map((r) => r.table_name);
}

afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
});

afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

describe("listMigrations", () => {
  it("lists the committed migrations in name order with sha256 checksums", async () => {
    const migrations = await listMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.map((m) => m.name)).toEqual(migrations.map((m) => m.name).sort());
    for (const m of migrations) {
      expect(m.name).toMatch(/^\d{14}_/);
      expect(m.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(m.sql.length).toBeGreaterThan(0);
    }
  });

  it("refuses a folder without migration.sql", async () => {
    const dir = await copyOfMigrations();
    await fs.mkdir(path.join(dir, "20990101000000_empty"));
    await expect(listMigrations(dir)).rejects.toMatchObject({
      problem: "invalid_folder",
      migration: "20990101000000_empty",
    });
  });
});

describe("runMigrations", () => {
  it("applies every migration to a fresh database, records it, and a re-run is a no-op", async () => {
    const db = await freshDatabase("migrate_fresh");
    const all = (await listMigrations()).map((m) => m.name);
    const events: Record<string, unknown>[] = [];
    const first = await runMigrations({ connectionString: db.url, log: (e) => events.push(e) });
    expect(first).toEqual({ applied: all, alreadyApplied: [] });
    expect(events.filter((e) => e.event === "migration_applied").map((e) => e.name)).toEqual(all);
    expect(await tables(db.url, "app_data")).toEqual([
      "_migrations",
      "admin_audit",
      "lakebase_operation",
      "order_change",
      "order_keys",
      "order_keys_state",
      "order_rollup",
      "order_rollup_state",
      "order_status",
      "order_status_history",
      "saved_views",
    ]);
    const recorded = await query<{ name: string; checksum: string; duration_ms: number; applied_at: Date }>(
      db.url,
      "SELECT name, checksum, duration_ms, applied_at FROM app_data._migrations ORDER BY name",
    );
    expect(recorded.map((r) => [r.name, r.checksum])).toEqual(
      (await listMigrations()).map((m) => [m.name, m.checksum]),
    );
    for (const r of recorded) {
      expect(r.duration_ms).toBeGreaterThanOrEqual(0);
      expect(r.applied_at).toBeInstanceOf(Date);
    }

    const second = await runMigrations({ connectionString: db.url });
    expect(second).toEqual({ applied: [], alreadyApplied: all });
    const again = await query<{ applied_at: Date }>(
      db.url,
      "SELECT applied_at FROM app_data._migrations ORDER BY name",
    );
    expect(again.map((r) => r.applied_at.getTime())).toEqual(recorded.map((r) => r.applied_at.getTime()));
  });

  it("lets 5 runners start at once: exactly one applies, the others wait and find nothing to do", async () => {
    const db = await freshDatabase("migrate_race");
    const all = (await listMigrations()).map((m) => m.name);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => runMigrations({ connectionString: db.url })),
    );
    expect(results.filter((r) => r.applied.length > 0)).toEqual([{ applied: all, alreadyApplied: [] }]);
    expect(results.filter((r) => r.applied.length === 0)).toHaveLength(4);
    for (const r of results.filter((x) => x.applied.length === 0)) expect(r.alreadyApplied).toEqual(all);
    const count = await query<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM app_data._migrations");
    expect(count[0]!.n).toBe(all.length);
  });

  it("works on a caller's client, leaving it open and the advisory lock released", async () => {
    const db = await freshDatabase("migrate_client");
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const result = await runMigrations({ client });
      expect(result.applied.length).toBeGreaterThan(0);
      const locks = await client.query(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
      );
      expect(locks.rows[0].n).toBe(0);
      expect((await client.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
  });

  it("refuses a migration changed after it was applied, naming it, and applies nothing else", async () => {
    const db = await freshDatabase("migrate_changed");
    const dir = await copyOfMigrations();
    await runMigrations({ connectionString: db.url, migrationsDir: dir });
    const [first] = await listMigrations(dir);
    await fs.appendFile(path.join(dir, first!.name, "migration.sql"), "\n-- an innocent-looking edit\n");
    await addMigration(dir, "20990101000000_later", "CREATE TABLE app_data.later (id int);");

    const error = await runMigrations({ connectionString: db.url, migrationsDir: dir }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toMatchObject({ problem: "checksum_mismatch", migration: first!.name });
    expect((error as Error).message).toContain(first!.name);
    expect(await tables(db.url, "app_data")).not.toContain("later");
  });

  it("reports a recorded migration whose folder is missing", async () => {
    const db = await freshDatabase("migrate_missing");
    const dir = await copyOfMigrations();
    await addMigration(dir, "20990101000000_extra", "CREATE TABLE app_data.extra (id int);");
    const applied = await runMigrations({ connectionString: db.url, migrationsDir: dir });
    expect(applied.applied).toContain("20990101000000_extra");
    await fs.rm(path.join(dir, "20990101000000_extra"), { recursive: true });

    await expect(runMigrations({ connectionString: db.url, migrationsDir: dir })).rejects.toMatchObject({
      name: "MigrationError",
      problem: "missing_migration",
      migration: "20990101000000_extra",
      message: expect.stringContaining("20990101000000_extra"),
    });
  });

  it("rolls a failing migration back with its record, so that a fixed one applies later", async () => {
    const db = await freshDatabase("migrate_failing");
    const dir = await copyOfMigrations();
    const name = "20990101000000_broken";
    await addMigration(dir, name, "CREATE TABLE app_data.half (id int);\nSELECT * FROM no_such_table;");
    await expect(runMigrations({ connectionString: db.url, migrationsDir: dir })).rejects.toMatchObject({
      problem: "failed",
      migration: name,
    });
    expect(await tables(db.url, "app_data")).not.toContain("half");
    const recorded = await query<{ name: string }>(db.url, "SELECT name FROM app_data._migrations");
    expect(recorded.map((r) => r.name)).not.toContain(name);

    await fs.writeFile(path.join(dir, name, "migration.sql"), "CREATE TABLE app_data.half (id int);");
    expect((await runMigrations({ connectionString: db.url, migrationsDir: dir })).applied).toEqual([name]);
    expect(await tables(db.url, "app_data")).toContain("half");
  });

  it("needs a client or a connection string", async () => {
    await expect(runMigrations({})).rejects.toThrow(/client or a connectionString/);
  });
});

describe("migrations that take long or must run outside a transaction", () => {
  it("waits for another runner's lock only so long, then fails naming the session that holds it", async () => {
    const db = await freshDatabase("migrate_lock_wait");
    const holder = new pg.Client({ connectionString: db.url, application_name: "stuck-session" });
    await holder.connect();
    try {
      const { rows } = await holder.query<{ pid: number }>(
        "SELECT pg_backend_pid() AS pid, pg_advisory_lock(7220191813540321371)",
      );
      const started = Date.now();
      const error = await runMigrations({ connectionString: db.url, lockTimeoutMs: 400 }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MigrationError);
      expect(error).toMatchObject({ problem: "lock_timeout" });
      const message = (error as Error).message;
      expect(message).toContain("stuck-session");
      expect(message).toContain(`pg_terminate_backend(${rows[0]?.pid})`);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await tables(db.url, "app_data")).toEqual([]);
    } finally {
      await holder.end();
    }
    // Once the holder is gone, the same runner gets through.
    expect(
      (await runMigrations({ connectionString: db.url, lockTimeoutMs: 400 })).applied.length,
    ).toBeGreaterThan(0);
  });

  it("runs a migration longer than the pool's statement timeout, on a connection of its own", async () => {
    const database = await freshDatabase("migrate_long");
    const dir = await copyOfMigrations();
    await addMigration(
      dir,
      "20990101000000_slow",
      "SELECT pg_sleep(0.6);\nCREATE TABLE app_data.slow (id int);",
    );
    const db = createDb({
      connectionString: database.url,
      max: 2,
      statementTimeoutMillis: 200,
      queryTimeoutMillis: 300,
    });
    try {
      // The pool itself cannot run it.
      await expect(db.pool.query("SELECT pg_sleep(0.6)")).rejects.toThrow();
      const result = await migratePool(db.pool, { migrationsDir: dir });
      expect(result.applied).toContain("20990101000000_slow");
      expect(await tables(database.url, "app_data")).toContain("slow");
      // The pool's own limit is untouched.
      expect((await db.pool.query("SHOW statement_timeout")).rows[0]?.statement_timeout).toBe("200ms");
    } finally {
      await db.disconnect();
    }
  });

  it("applies a migration that says it must run outside a transaction (CREATE INDEX CONCURRENTLY)", async () => {
    const db = await freshDatabase("migrate_concurrently");
    const dir = await copyOfMigrations();
    const name = "20990101000000_concurrent_index";
    await addMigration(
      dir,
      name,
      [
        "-- An index built without locking writers out.",
        "-- migration: no-transaction",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS admin_audit_actor_idx ON app_data.admin_audit (actor);",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS admin_audit_action_idx ON app_data.admin_audit (action); -- trailing",
      ].join("\n"),
    );
    const migrations = await listMigrations(dir);
    expect(migrations.find((m) => m.name === name)?.transactional).toBe(false);
    expect(migrations.filter((m) => m.name !== name).every((m) => m.transactional)).toBe(true);

    const result = await runMigrations({ connectionString: db.url, migrationsDir: dir });
    expect(result.applied).toContain(name);
    const indexes = await query<{ name: string; valid: boolean }>(
      db.url,
      `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname IN ('admin_audit_actor_idx', 'admin_audit_action_idx') ORDER BY 1`,
    );
    expect(indexes).toEqual([
      { name: "admin_audit_action_idx", valid: true },
      { name: "admin_audit_actor_idx", valid: true },
    ]);

    // Without the marker the same statement is refused inside the migration's transaction.
    const other = await freshDatabase("migrate_concurrently_tx");
    const txDir = await copyOfMigrations();
    await addMigration(
      txDir,
      name,
      "CREATE INDEX CONCURRENTLY IF NOT EXISTS admin_audit_actor_idx ON app_data.admin_audit (actor);",
    );
    await expect(runMigrations({ connectionString: other.url, migrationsDir: txDir })).rejects.toMatchObject({
      problem: "failed",
      message: expect.stringContaining("transaction block"),
    });
  });
});
