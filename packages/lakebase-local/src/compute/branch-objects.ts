import pg from "pg";
import type { DatabaseRecord, RoleRecord } from "../state/postgres-records.ts";
import { type Cluster, code } from "./cluster.ts";

/** Lakebase's administrative role: all privileges on every database, not a PostgreSQL superuser. */
export const SUPERUSER_ROLE = "databricks_superuser";

const id = pg.escapeIdentifier;

/**
 * The PostgreSQL objects a branch's records stand for, made idempotently on its cluster: the
 * `databricks_superuser` role, each role (LOGIN with the front door's internal password unless NO_LOGIN,
 * its attributes, its membership) and each database with its owner. Run when a branch cluster starts and
 * when a record is created, so a cluster that was closed meanwhile catches up.
 */
export async function ensureSuperuserRole(admin: Cluster): Promise<void> {
  await admin.withClient("postgres", async (c) => {
    const exists = await c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [SUPERUSER_ROLE]);
    if ((exists.rowCount ?? 0) === 0) {
      await ignoreDuplicate(
        c.query(`CREATE ROLE ${id(SUPERUSER_ROLE)} NOLOGIN CREATEDB CREATEROLE BYPASSRLS`),
      );
    }
    await c.query(`GRANT pg_read_all_data, pg_write_all_data, pg_monitor TO ${id(SUPERUSER_ROLE)}`);
  });
}

export async function ensureRole(admin: Cluster, role: RoleRecord["status"]): Promise<void> {
  const name = role.postgres_role;
  const login =
    role.auth_method === "NO_LOGIN"
      ? "NOLOGIN"
      : `LOGIN PASSWORD ${pg.escapeLiteral(admin.rolePassword(name))}`;
  const attributes = [
    role.attributes.createdb ? "CREATEDB" : "NOCREATEDB",
    role.attributes.createrole ? "CREATEROLE" : "NOCREATEROLE",
    role.attributes.bypassrls ? "BYPASSRLS" : "NOBYPASSRLS",
  ].join(" ");
  await admin.withClient("postgres", async (c) => {
    const existing = await c.query<{ rolsuper: boolean }>(
      "SELECT rolsuper FROM pg_roles WHERE rolname = $1",
      [name],
    );
    if (existing.rows[0]?.rolsuper)
      throw new Error(`lakebase-local: refusing to manage superuser role "${name}"`);
    if (existing.rowCount === 0) {
      await ignoreDuplicate(c.query(`CREATE ROLE ${id(name)} ${login} ${attributes}`));
    }
    await c.query(`ALTER ROLE ${id(name)} ${login} ${attributes}`);
    if (role.membership_roles?.includes("DATABRICKS_SUPERUSER")) {
      await c.query(`GRANT ${id(SUPERUSER_ROLE)} TO ${id(name)}`);
    }
  });
}

export async function ensureDatabase(
  admin: Cluster,
  database: string,
  owner: string | undefined,
): Promise<void> {
  await admin.withClient("postgres", async (c) => {
    const exists = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if ((exists.rowCount ?? 0) === 0) {
      await ignoreDuplicate(
        c.query(`CREATE DATABASE ${id(database)}${owner ? ` OWNER ${id(owner)}` : ""}`),
        "42P04",
      );
    } else if (owner) {
      await c.query(`ALTER DATABASE ${id(database)} OWNER TO ${id(owner)}`);
    }
    await c.query(`GRANT ALL ON DATABASE ${id(database)} TO ${id(SUPERUSER_ROLE)} WITH GRANT OPTION`);
  });
}

export async function dropDatabase(admin: Cluster, database: string): Promise<void> {
  await admin.withClient("postgres", (c) => c.query(`DROP DATABASE IF EXISTS ${id(database)} WITH (FORCE)`));
}

/**
 * Drops a role; with `reassignTo`, what it owns in any database goes to that role first. A role that still
 * owns something is refused (PostgreSQL's 2BP01), so nothing is dropped behind the caller's back.
 */
export async function dropRole(
  admin: Cluster,
  role: string,
  databases: readonly string[],
  reassignTo: string | undefined,
): Promise<void> {
  for (const database of databases) {
    await admin
      .withClient(database, async (c) => {
        if (reassignTo) await c.query(`REASSIGN OWNED BY ${id(role)} TO ${id(reassignTo)}`);
        // Privileges granted to the role (not objects it owns) would block DROP ROLE.
        const owned = await c.query(
          "SELECT 1 FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = $1) LIMIT 1",
          [role],
        );
        if ((owned.rowCount ?? 0) === 0) await c.query(`DROP OWNED BY ${id(role)}`);
      })
      .catch((error: unknown) => {
        // A role or database gone meanwhile: nothing left to do there.
        if (code(error) !== "42704" && code(error) !== "3D000") throw error;
      });
  }
  await admin.withClient("postgres", (c) => c.query(`DROP ROLE IF EXISTS ${id(role)}`));
}

export function ownerOf(databases: Record<string, DatabaseRecord>, database: string): string | undefined {
  return Object.values(databases).find((d) => d.status.postgres_database === database)?.status.role;
}

async function ignoreDuplicate(query: Promise<unknown>, duplicate = "42710"): Promise<void> {
  try {
    await query;
  } catch (error) {
    // Another request created it at the same moment.
    if (code(error) !== duplicate && code(error) !== "23505") throw error;
  }
}
