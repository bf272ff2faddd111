import { z } from "zod";
import type { AppConfig, TableName } from "./types.ts";
import { VARIABLES, type VariableName } from "./variables.ts";

export type Env = Readonly<Record<string, string | undefined>>;

/** The identity that acts outside Databricks Apps when nothing else is configured (an admin by default). */
export const LOCAL_ADMIN = "local-admin@example.com";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.problems = problems;
  }
}

type Shape = { [K in VariableName]: (typeof VARIABLES)[K]["schema"] };
const shape = Object.fromEntries(Object.entries(VARIABLES).map(([name, v]) => [name, v.schema])) as Shape;
const envSchema = z.object(shape);

/**
 * Reads every variable the app uses, validates them together and returns one frozen configuration. A bad
 * value fails with every problem named by its variable (never the value of a secret). Empty values count as
 * unset, as most tools treat `VAR=`; app.yaml writes every variable, empty when the bundle has no value.
 *
 * @example
 * const config = loadConfig(process.env);
 * config.lakebase.syncedTable.fullName; // "orders_catalog.public.orders_synced"
 */
export function loadConfig(env: Env): AppConfig {
  const present: Record<string, string> = {};
  for (const name of Object.keys(VARIABLES)) {
    const value = env[name]?.trim();
    if (value) present[name] = value;
  }
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];

  const inDatabricksApp = e.DATABRICKS_APP_NAME !== undefined;
  const admins = (e.APP_ADMINS ?? (inDatabricksApp ? "" : LOCAL_ADMIN))
    .split(",")
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
  for (const admin of admins) {
    if (!z.email().safeParse(admin).success) problems.push(`APP_ADMINS: "${admin}" is not an e-mail`);
  }

  const catalogName = e.LAKEBASE_CATALOG_NAME ?? "orders_catalog";
  const syncedTable = tableName(e.LAKEBASE_SYNCED_TABLE ?? `${catalogName}.public.orders_synced`);
  // The synced table is registered in the catalog's database: in another catalog the app would not find it.
  if (syncedTable.catalog !== catalogName) {
    problems.push(
      `LAKEBASE_SYNCED_TABLE: "${syncedTable.fullName}" must be in the catalog LAKEBASE_CATALOG_NAME="${catalogName}"`,
    );
  }
  if (e.LAKEBASE_TOKEN_SOURCE === "provisioned" && e.LAKEBASE_ENDPOINT) {
    problems.push(
      "LAKEBASE_TOKEN_SOURCE: provisioned contradicts LAKEBASE_ENDPOINT (autoscaling): unset one",
    );
  }
  if (e.LAKEBASE_TOKEN_SOURCE === "autoscaling" && !e.LAKEBASE_ENDPOINT) {
    problems.push(
      "LAKEBASE_ENDPOINT: LAKEBASE_TOKEN_SOURCE=autoscaling needs projects/<p>/branches/<b>/endpoints/<e>",
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const instanceName = e.LAKEBASE_INSTANCE_NAME ?? "orders-local";
  const databaseName = e.LAKEBASE_DATABASE_NAME ?? "orders";
  const workspaceConfigured = e.DATABRICKS_HOST !== undefined || e.DATABRICKS_CONFIG_PROFILE !== undefined;
  const config: AppConfig = {
    server: {
      port: e.DATABRICKS_APP_PORT ?? e.PORT ?? 8000,
      host: e.HOST ?? "0.0.0.0",
      staticDir: e.STATIC_DIR ?? null,
      logLevel: e.LOG_LEVEL ?? "info",
      workers: e.CLUSTER_WORKERS ?? 0,
    },
    identity: {
      inDatabricksApp,
      appName: e.DATABRICKS_APP_NAME ?? null,
      localIdentity: e.LOCAL_IDENTITY ?? (inDatabricksApp ? null : LOCAL_ADMIN),
      admins,
    },
    databricks: workspaceConfigured
      ? {
          host: e.DATABRICKS_HOST ?? null,
          token: e.DATABRICKS_TOKEN ?? null,
          clientId: e.DATABRICKS_CLIENT_ID ?? null,
          clientSecret: e.DATABRICKS_CLIENT_SECRET ?? null,
          profile: e.DATABRICKS_CONFIG_PROFILE ?? null,
        }
      : null,
    lakebase: {
      instanceName,
      catalogName,
      databaseName,
      syncedTable,
      sourceTable: e.LAKEBASE_SOURCE_TABLE ?? "samples.tpch.orders",
      storageCatalog: e.SYNCED_TABLE_STORAGE_CATALOG ?? "main",
      storageSchema: e.SYNCED_TABLE_STORAGE_SCHEMA ?? "default",
    },
    connection: {
      url: e.LAKEBASE_PG_URL ?? null,
      readUrl: e.LAKEBASE_PG_READ_URL ?? null,
      pg: {
        host: e.PGHOST ?? null,
        port: e.PGPORT ?? null,
        database: e.PGDATABASE ?? null,
        user: e.PGUSER ?? null,
        password: e.PGPASSWORD ?? null,
        sslmode: e.PGSSLMODE ?? null,
      },
      endpoint: e.LAKEBASE_ENDPOINT ?? null,
      tokenSource: e.LAKEBASE_TOKEN_SOURCE ?? null,
      refreshBeforeSeconds: e.LAKEBASE_TOKEN_REFRESH_BEFORE_SECONDS ?? 300,
      instanceName,
      databaseName,
    },
    database: {
      poolMax: e.DB_POOL_MAX ?? 10,
      migrationsDir: e.MIGRATIONS_DIR ?? null,
    },
    orders: {
      countCacheTtlSeconds: e.COUNT_CACHE_TTL_SECONDS ?? 10,
      rollupCheckSeconds: e.ORDERS_ROLLUP_CHECK_SECONDS ?? 5,
      rollupMinRebuildSeconds: e.ORDERS_ROLLUP_MIN_REBUILD_SECONDS ?? 60,
      maintainIndexes: (e.ORDERS_INDEXES ?? "on") === "on",
    },
  };
  return deepFreeze(config);
}

/** `catalog.schema.table`, already checked against the variable's pattern. */
export function tableName(fullName: string): TableName {
  const [catalog = "", schema = "", table = ""] = fullName.split(".");
  return { fullName, catalog, schema, table };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
