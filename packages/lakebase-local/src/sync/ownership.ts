import pg from "pg";

/**
 * Who owns a synced table and who may index it, as on Lakebase (research §1):
 * - the table belongs to `databricks_writer_<database oid>`, a NOLOGIN role per database that nobody holds
 *   with ADMIN or SET (so nobody can grant it, join it or act as it) and that has no DML privilege of its
 *   own on the table (the pipeline writes as the cluster's superuser);
 * - every role that may connect reads it (SELECT to PUBLIC; CONNECT scopes PUBLIC to the database);
 * - the identity that created the synced table is its manager: a row in
 *   `public.databricks_synced_table_managers`, membership of the writer role WITH INHERIT TRUE, SET FALSE
 *   (it passes the owner check of CREATE INDEX / DROP INDEX / DROP TABLE, and holds no DML, since the owner
 *   holds none) and, through it, CREATE on the table's schema (where an index goes).
 * Anyone else gets PostgreSQL's own `42501 must be owner of table <t>` for CREATE INDEX.
 */
export async function ensureWriterRole(client: pg.ClientBase): Promise<string> {
  const r = await client.query<{ oid: number }>(
    "SELECT oid FROM pg_database WHERE datname = current_database()",
  );
  const role = `databricks_writer_${r.rows[0]?.oid}`;
  await ignoring(["42710", "23505"], () => client.query(`CREATE ROLE ${pg.escapeIdentifier(role)} NOLOGIN`));
  return role;
}

/** The managers' catalog: a table only the superuser writes, and the public view Lakebase exposes. */
export async function ensureManagersCatalog(client: pg.ClientBase): Promise<void> {
  await client.query("BEGIN");
  try {
    // Two synced tables created at once in one database would race on CREATE ... IF NOT EXISTS.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('lakebase-local synced table managers'))");
    await client.query("CREATE SCHEMA IF NOT EXISTS __db_system");
    await client.query("REVOKE ALL ON SCHEMA __db_system FROM PUBLIC");
    await client.query(
      `CREATE TABLE IF NOT EXISTS __db_system.synced_table_managers (
         schema_name text NOT NULL, table_name text NOT NULL, user_name text NOT NULL,
         PRIMARY KEY (schema_name, table_name, user_name))`,
    );
    await client.query(
      `CREATE OR REPLACE VIEW public.databricks_synced_table_managers AS
         SELECT schema_name, table_name, user_name FROM __db_system.synced_table_managers`,
    );
    await client.query("GRANT SELECT ON public.databricks_synced_table_managers TO PUBLIC");
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** Hands a freshly created table to the writer role: readable by all, writable by no role but the pipeline. */
export async function takeOwnership(
  client: pg.ClientBase,
  target: { schema: string; table: string },
  writer: string,
): Promise<void> {
  const table = qualified(target);
  const role = pg.escapeIdentifier(writer);
  await client.query(`ALTER TABLE ${table} OWNER TO ${role}`);
  await client.query(`REVOKE ALL ON ${table} FROM PUBLIC`);
  await client.query(`GRANT SELECT ON ${table} TO PUBLIC`);
  await client.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ${table} FROM ${role}`);
  await client.query(`GRANT USAGE ON SCHEMA ${pg.escapeIdentifier(target.schema)} TO PUBLIC`);
  // CREATE INDEX also needs CREATE on the schema the index goes to (the table's), for whoever runs it.
  await retryConcurrentUpdate(() =>
    client.query(`GRANT CREATE ON SCHEMA ${pg.escapeIdentifier(target.schema)} TO ${role}`),
  );
}

/** Records `role` (the creating identity's) as a manager of the table and lets it index it. */
export async function addManager(
  client: pg.ClientBase,
  target: { schema: string; table: string },
  writer: string,
  role: string,
): Promise<void> {
  await client.query(
    `INSERT INTO __db_system.synced_table_managers (schema_name, table_name, user_name) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING`,
    [target.schema, target.table, role],
  );
  await retryConcurrentUpdate(() =>
    client.query(
      `GRANT ${pg.escapeIdentifier(writer)} TO ${pg.escapeIdentifier(role)} WITH INHERIT TRUE, SET FALSE`,
    ),
  );
}

/**
 * After the table was dropped: its managers are forgotten, and one that manages no other synced table of
 * the database leaves the writer role.
 */
export async function removeManagers(
  client: pg.ClientBase,
  target: { schema: string; table: string },
  writer: string,
): Promise<void> {
  const exists = await client.query(
    "SELECT 1 FROM pg_class WHERE oid = to_regclass('__db_system.synced_table_managers')",
  );
  if (exists.rowCount === 0) return;
  const removed = await client.query<{ user_name: string }>(
    "DELETE FROM __db_system.synced_table_managers WHERE schema_name = $1 AND table_name = $2 RETURNING user_name",
    [target.schema, target.table],
  );
  for (const { user_name } of removed.rows) {
    const still = await client.query("SELECT 1 FROM __db_system.synced_table_managers WHERE user_name = $1", [
      user_name,
    ]);
    if ((still.rowCount ?? 0) > 0) continue;
    await ignoring(["42704"], () =>
      client.query(`REVOKE ${pg.escapeIdentifier(writer)} FROM ${pg.escapeIdentifier(user_name)}`),
    );
  }
}

export function qualified(target: { schema: string; table: string }): string {
  return `${pg.escapeIdentifier(target.schema)}.${pg.escapeIdentifier(target.table)}`;
}

async function ignoring(codes: string[], fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (!codes.includes(String((error as { code?: unknown }).code))) throw error;
  }
}

// Concurrent GRANTs on one catalog row fail with "tuple concurrently updated" (XX000); a retry succeeds.
async function retryConcurrentUpdate<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= 5 || !/concurrently/.test((error as Error).message)) throw error;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}
