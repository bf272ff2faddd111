/** Databricks instance names: lowercase letters, digits and hyphens, 1..63, starting with a letter. */
export const INSTANCE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** Unity Catalog identifiers as the service accepts them unquoted (we do not emulate backquoted names). */
export const UC_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
/** Postgres database names created through catalogs: a plain identifier, max 63 bytes. */
export const PG_DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;

export const DEFAULT_DATABASE = "databricks_postgres";
