import type { LakebaseService } from "../lakebase-service.ts";
import { SOURCE_TABLE } from "../sync/source/columns.ts";

export interface SeedOptions {
  instanceName: string;
  catalogName: string;
  databaseName: string;
  /** Full UC name `catalog.schema.table`, or just `schema.table` / `table` inside `catalogName`. */
  syncedTable: string;
  /**
   * Ignored: every synced table is a copy of the one source (`sourceRows` rows at its version 0, then its
   * changes). Kept so that callers that still pass it compile.
   */
  rows?: number;
  /** The seeded synced table's `scheduling_policy`. Default SNAPSHOT. */
  schedulingPolicy?: "SNAPSHOT" | "TRIGGERED" | "CONTINUOUS";
  /**
   * Who creates the seeded synced table, and so is its manager in Postgres (the one identity that may index
   * it). Default: the workspace identity, which is then also what an app using the workspace token logs in
   * as. Another email (a workspace admin user, added if unknown) leaves the app where a service principal is
   * in production: reading a table it may not index.
   */
  syncedTableCreator?: string;
}

/** The seeded synced table's full UC name: `syncedTable` as given, inside `catalogName` when partial. */
export function syncedTableName(s: Pick<SeedOptions, "catalogName" | "syncedTable">): string {
  const parts = s.syncedTable.split(".");
  if (parts.length === 3) return s.syncedTable;
  return parts.length === 2
    ? `${s.catalogName}.${s.syncedTable}`
    : `${s.catalogName}.public.${s.syncedTable}`;
}

/**
 * The default resources of a dev or test LakebaseLocal, created by `creator` as a client would: an instance
 * (AVAILABLE at once), a catalog on its database, and a synced table of the source, waited for until online.
 * What already exists (a restart from a data dir) is left as it is.
 */
export async function seed(service: LakebaseService, s: SeedOptions, creator: string) {
  const state = service.state;
  if (!state.instances[s.instanceName]) {
    await service.instances.create({ name: s.instanceName, capacity: "CU_1" }, creator, { available: true });
  }
  if (!state.catalogs[s.catalogName]) {
    await service.catalogs.create(creator, {
      name: s.catalogName,
      database_instance_name: s.instanceName,
      database_name: s.databaseName,
      create_database_if_not_exists: true,
    });
  }
  const fullName = syncedTableName(s);
  if (!state.syncedTables[fullName]) {
    await service.syncedTables.create(s.syncedTableCreator ?? creator, {
      name: fullName,
      spec: {
        source_table_full_name: SOURCE_TABLE,
        primary_key_columns: ["o_orderkey"],
        scheduling_policy: s.schedulingPolicy ?? "SNAPSHOT",
        new_pipeline_spec: { storage_catalog: s.catalogName, storage_schema: "default" },
      },
    });
    await service.waitForPipeline(fullName);
    const status = service.syncedTables.get(fullName).data_synchronization_status;
    if (!status.detailed_state.startsWith("SYNCED_TABLE_ONLINE")) {
      throw new Error(`lakebase-local: seeding ${fullName} failed: ${status.message}`);
    }
  }
}
