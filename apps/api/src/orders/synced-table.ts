import { Prisma } from "@lakebase-orders/db";

export interface SyncedTable {
  /** Unity Catalog name `catalog.schema.table` (what the Databricks API knows). */
  fullName: string;
  catalog: string;
  /** Postgres schema: the UC schema of a synced table becomes its Postgres schema. */
  schema: string;
  table: string;
  /** `"schema"."table"`, quoted for SQL. */
  sqlName: string;
}

// Same default as the Lakebase admin (LAKEBASE_CATALOG_NAME defaults to orders_catalog).
export const DEFAULT_SYNCED_TABLE = "orders_catalog.public.orders_synced";

// Unity Catalog names: letters, digits, underscores, hyphens. Anything else is refused rather than quoted
// into SQL, even though quoting would make it safe.
const PART = /^[A-Za-z_][A-Za-z0-9_-]{0,254}$/;

/** Parses `catalog.schema.table` (LAKEBASE_SYNCED_TABLE); `schema.table` is accepted too. */
export function parseSyncedTable(name: string = DEFAULT_SYNCED_TABLE): SyncedTable {
  const parts = name.trim().split(".");
  const [catalog, schema, table] = parts.length === 2 ? ["orders_catalog", parts[0], parts[1]] : parts;
  if (parts.length < 2 || parts.length > 3 || !catalog || !schema || !table) {
    throw new Error(`synced table name "${name}" must be catalog.schema.table`);
  }
  for (const part of [catalog, schema, table]) {
    if (!PART.test(part)) throw new Error(`synced table name "${name}": "${part}" is not a valid identifier`);
  }
  return {
    fullName: `${catalog}.${schema}.${table}`,
    catalog,
    schema,
    table,
    sqlName: `${quoteIdent(schema)}.${quoteIdent(table)}`,
  };
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The table as a raw SQL fragment for Prisma tagged templates. */
export function tableSql(table: SyncedTable): Prisma.Sql {
  return Prisma.raw(table.sqlName);
}
