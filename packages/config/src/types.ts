import type { LOG_LEVELS, SslMode, TOKEN_SOURCES } from "./variables.ts";

export type LogLevel = (typeof LOG_LEVELS)[number];
export type TokenSource = (typeof TOKEN_SOURCES)[number];

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** A built SPA served beside the API; null: API only. */
  readonly staticDir: string | null;
  readonly logLevel: LogLevel;
  /** Worker processes; 0: one per available vCPU, 1: no cluster. */
  readonly workers: number;
}

export interface IdentityConfig {
  /** DATABRICKS_APP_NAME is set: identities come only from the Apps proxy's headers. */
  readonly inDatabricksApp: boolean;
  readonly appName: string | null;
  /** Who a request without the proxy's headers acts as; null inside Apps (such requests are anonymous). */
  readonly localIdentity: string | null;
  /** Lower-cased e-mails allowed to run the Lakebase admin's mutations. */
  readonly admins: readonly string[];
}

/** The Databricks SDK's standard credentials, passed to the SDK explicitly. */
export interface WorkspaceConfig {
  readonly host: string | null;
  readonly token: string | null;
  readonly clientId: string | null;
  readonly clientSecret: string | null;
  readonly profile: string | null;
}

/** A Unity Catalog table name; its schema is the Postgres schema of a synced table. */
export interface TableName {
  /** `catalog.schema.table` */
  readonly fullName: string;
  readonly catalog: string;
  readonly schema: string;
  readonly table: string;
}

/** The three Lakebase resources the app reads from and the admin manages. */
export interface LakebaseNames {
  readonly instanceName: string;
  readonly catalogName: string;
  readonly databaseName: string;
  readonly syncedTable: TableName;
  readonly sourceTable: string;
  readonly storageCatalog: string;
  readonly storageSchema: string;
}

/** How the app reaches PostgreSQL; `resolveConnection` (lakebase-auth) turns it into a pool target. */
export interface ConnectionConfig {
  readonly url: string | null;
  readonly readUrl: string | null;
  /** What a Databricks Apps `database` resource injects (PGHOST, ...); PGPASSWORD for a static password. */
  readonly pg: {
    readonly host: string | null;
    readonly port: number | null;
    readonly database: string | null;
    readonly user: string | null;
    readonly password: string | null;
    readonly sslmode: SslMode | null;
  };
  readonly endpoint: string | null;
  readonly tokenSource: TokenSource | null;
  readonly refreshBeforeSeconds: number;
  /** The token scope and, without PGHOST or a URL, where the host is looked up. */
  readonly instanceName: string;
  /** The database when neither PGDATABASE nor the URL names one. */
  readonly databaseName: string;
}

export interface DatabaseConfig {
  readonly poolMax: number;
  /** null: the migrations shipped in packages/db. */
  readonly migrationsDir: string | null;
}

export interface OrdersConfig {
  readonly countCacheTtlSeconds: number;
  /** How often the synced table is checked for changes that call for a new counts rollup. */
  readonly rollupCheckSeconds: number;
  /** Least time between two rebuilds of the counts rollup. */
  readonly rollupMinRebuildSeconds: number;
  /** Build the indexes the sorts need on the synced table. */
  readonly maintainIndexes: boolean;
}

/** Everything the app is configured with: read once from the environment, then passed down. */
export interface AppConfig {
  readonly server: ServerConfig;
  readonly identity: IdentityConfig;
  /** null: no workspace configured (no DATABRICKS_HOST or profile); the Lakebase admin is off. */
  readonly databricks: WorkspaceConfig | null;
  readonly lakebase: LakebaseNames;
  readonly connection: ConnectionConfig;
  readonly database: DatabaseConfig;
  readonly orders: OrdersConfig;
}
