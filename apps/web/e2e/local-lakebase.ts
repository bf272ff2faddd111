import type { LakebaseLocal } from "@lakebase-orders/lakebase-local";

// What the e2e stack and the perf tools share about the local Lakebase they start: the names of the
// resources they seed, and the API's configuration for it.

export interface LakebaseNames {
  instance: string;
  catalog: string;
  database: string;
  syncedTable: string;
}

/** The resources' names around one instance (the catalog, database and table as the local seed makes them). */
export function namesFor(instance: string): LakebaseNames {
  return {
    instance,
    catalog: "orders_catalog",
    database: "orders",
    syncedTable: "orders_catalog.public.orders_synced",
  };
}

/** `startLakebaseLocal`'s seed for these names. */
export function seedOf(names: LakebaseNames, rows: number) {
  return {
    instanceName: names.instance,
    catalogName: names.catalog,
    databaseName: names.database,
    syncedTable: names.syncedTable,
    rows,
  };
}

/**
 * The API's variables for a local Lakebase, as for a real workspace: the SDK's host and token, the resources,
 * the instance's port, and its CA (TLS is verified, as in production).
 */
export function lakebaseEnv(
  lakebase: LakebaseLocal,
  names: LakebaseNames,
  options: { autoscaling?: boolean } = {},
): Record<string, string> {
  return {
    DATABRICKS_HOST: lakebase.restUrl,
    DATABRICKS_TOKEN: lakebase.workspaceToken,
    // Autoscaling: the seeded project (its id is the seed's instance name), on its production branch's primary
    // endpoint, whose host and port the app looks up through the postgres API.
    ...(options.autoscaling
      ? { LAKEBASE_PROJECT_ID: names.instance }
      : { LAKEBASE_INSTANCE_NAME: names.instance, PGPORT: String(lakebase.pgPort) }),
    LAKEBASE_CATALOG_NAME: names.catalog,
    LAKEBASE_DATABASE_NAME: names.database,
    LAKEBASE_SYNCED_TABLE: names.syncedTable,
    PGSSLROOTCERT: lakebase.caFile,
  };
}
