import type { TableName } from "@lakebase-orders/config";
import { Prisma } from "@lakebase-orders/db";
import { STATUS_TABLE } from "./reads/sql-builder.ts";

// The tables the orders live in, as SQL names them: the synced table (configured) and the app's status
// overrides.

/** The synced table as SQL needs it. Its name was validated by the configuration (letters, digits, _, -). */
export interface SyncedTable extends TableName {
  /** `"schema"."table"`, quoted for SQL. */
  readonly sqlName: string;
}

export function syncedTable(name: TableName): SyncedTable {
  return { ...name, sqlName: `${quoteIdent(name.schema)}.${quoteIdent(name.table)}` };
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The table as a raw SQL fragment for Prisma tagged templates. */
export function tableSql(table: SyncedTable): Prisma.Sql {
  return Prisma.raw(table.sqlName);
}

/** The status overrides table for Prisma tagged templates (the status writer, the trend). */
export const STATUS = Prisma.raw(STATUS_TABLE);
