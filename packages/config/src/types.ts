import type {
  ADMIN_AUTHS,
  LOG_LEVELS,
  OTLP_PROTOCOLS,
  SslMode,
  TOKEN_SOURCES,
  TRACES_SAMPLERS,
} from "./variables/value-types.ts";

export type LogLevel = (typeof LOG_LEVELS)[number];
export type AdminAuth = (typeof ADMIN_AUTHS)[number];
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];
export type TracesSampler = (typeof TRACES_SAMPLERS)[number];
export type TokenSource = (typeof TOKEN_SOURCES)[number];

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** A built SPA served beside the API; null: API only. */
  readonly staticDir: string | null;
  readonly logLevel: LogLevel;
  /** Worker processes; 0: one per available vCPU, 1: no cluster. */
  readonly workers: number;
  /** Origins besides the app's own that a browser may call the API from (ALLOWED_ORIGINS). */
  readonly allowedOrigins: readonly string[];
  /**
   * Host names (lower-case, `name` or `name:port`) besides the loopback ones that requests may name outside
   * Databricks Apps (ALLOWED_HOSTS).
   */
  readonly allowedHosts: readonly string[];
}

/** What one request, or one identity per minute, may ask for. */
export interface LimitsConfig {
  readonly maxBodyBytes: number;
  readonly maxBatchSize: number;
  /** Mutations per identity per minute; 0: unlimited. */
  readonly writesPerMinute: number;
  /** Uncached expensive reads (counts, stats, deep pages) per identity per minute; 0: unlimited. */
  readonly expensiveReadsPerMinute: number;
  /** CSV exports running at once across the app's processes (EXPORTS_AT_ONCE). */
  readonly exportsAtOnce: number;
  /** A signed-in caller's export budget, in seconds (anonymous callers get at most 60). */
  readonly exportTimeoutSeconds: number;
}

export interface IdentityConfig {
  /** DATABRICKS_APP_NAME is set: identities come only from the Apps proxy's headers. */
  readonly inDatabricksApp: boolean;
  readonly appName: string | null;
  /**
   * Who a request from this machine acts as in local development; null inside Apps and when NODE_ENV is
   * production (such requests are anonymous).
   */
  readonly localIdentity: string | null;
  /** Lower-cased e-mails allowed to run the Lakebase admin's mutations. */
  readonly admins: readonly string[];
  /**
   * Whose credentials those mutations call Databricks with: `user`, the signed-in user's forwarded token
   * (Databricks Apps only); `service-principal`, the workspace credentials of `databricks`.
   */
  readonly adminAuth: AdminAuth;
  /** X-Forwarded-* headers name the caller: always inside Apps, outside only when TRUST_FORWARDED_HEADERS. */
  readonly trustForwardedHeaders: boolean;
  /** Lower-cased e-mails allowed to change order statuses; null: everyone signed in. */
  readonly statusWriters: readonly string[] | null;
}

/** The Databricks SDK's standard credentials, passed to the SDK explicitly. */
export interface WorkspaceConfig {
  readonly host: string | null;
  readonly token: string | null;
  readonly clientId: string | null;
  readonly clientSecret: string | null;
  readonly profile: string | null;
  /** Deadline of every API call, retries included (default 30 s when absent). */
  readonly timeoutSeconds?: number;
}

/** A Unity Catalog table name; its schema is the Postgres schema of a synced table. */
export interface TableName {
  /** `catalog.schema.table` */
  readonly fullName: string;
  readonly catalog: string;
  readonly schema: string;
  readonly table: string;
}

export type LakebaseFlavour = "provisioned" | "autoscaling";

/**
 * Which Lakebase the app is bound to, chosen once from the environment (the composition root picks the admin
 * and the connection from it; nothing else branches on the flavour). Autoscaling when LAKEBASE_ENDPOINT or
 * LAKEBASE_PROJECT_ID is set, else Provisioned with LAKEBASE_INSTANCE_NAME.
 */
export type LakebaseTarget =
  | { readonly flavour: "provisioned"; readonly instanceName: string }
  | {
      readonly flavour: "autoscaling";
      readonly projectId: string;
      readonly branchId: string;
      readonly endpointId: string;
      /** Full resource names: `projects/p`, `projects/p/branches/b`, `projects/p/branches/b/endpoints/e`. */
      readonly project: string;
      readonly branch: string;
      readonly endpoint: string;
      /**
       * Where orders reads go: a read-only endpoint's full name (LAKEBASE_READ_ENDPOINT), `discover` (the
       * branch's first READ_ONLY endpoint, if any: the default) or `none` (reads on the primary).
       */
      readonly readEndpoint: string;
    };

/** The three Lakebase resources the app reads from and the admin manages. */
export interface LakebaseNames {
  /** Which Lakebase: the Provisioned instance, or the Autoscaling project/branch/endpoint. */
  readonly target: LakebaseTarget;
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
    /** PGSSLROOTCERT: a PEM file of CAs trusted besides the system's. */
    readonly sslRootCert: string | null;
  };
  /** The Autoscaling endpoint whose credentials are the passwords (LAKEBASE_ENDPOINT, or the target's). */
  readonly endpoint: string | null;
  /** The same target as `lakebase.target`: where the host is looked up (without PGHOST or a URL). */
  readonly target: LakebaseTarget;
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
  /** Wait for another process's migration lock at most this long. */
  readonly migrationLockTimeoutSeconds: number;
  /** Cap of the backoff between attempts to reach and migrate a database that is down. */
  readonly startupRetryMaxSeconds: number;
  /** Orders reads of a signed-in user run as that user (ORDERS_READ_AS_USER=on). */
  readonly readAsUser: boolean;
  /** The per-user pools of `readAsUser`. */
  readonly userPools: UserPoolsConfig;
}

export interface UserPoolsConfig {
  /** Connections per user. */
  readonly perUser: number;
  /** Connections of all users together. */
  readonly maxConnections: number;
  readonly idleSeconds: number;
  /** How long a read waits for a connection at the cap before 503. */
  readonly waitMillis: number;
}

/** How the Lakebase admin coordinates and watches (names are in `LakebaseNames`). */
export interface LakebaseAdminConfig {
  /** A lifecycle operation's lease outlives its holder's last heartbeat by this much. */
  readonly operationLeaseSeconds: number;
  /** Status polling while something runs or moves, and the interval of every wait. */
  readonly statusPollSeconds: number;
  /** Status polling while subscribers watch a settled state. */
  readonly settledPollSeconds: number;
}

export interface OrdersConfig {
  readonly countCacheTtlSeconds: number;
  /** How often the synced table is checked for changes that call for a new counts rollup. */
  readonly rollupCheckSeconds: number;
  /** Least time between two rebuilds of the counts rollup. */
  readonly rollupMinRebuildSeconds: number;
  /** Build the indexes the sorts need on the synced table. */
  readonly maintainIndexes: boolean;
  /**
   * Where the sorts find their keys: the synced table's indexes or the app's projection (`auto` chooses at
   * every check), only one of them, or neither (`off`: scans).
   */
  readonly sortKeys: "auto" | "table" | "projection" | "off";
}

/** Where and how OpenTelemetry data goes (the OTEL_* variables, resolved). */
export interface TelemetryConfig {
  readonly protocol: OtlpProtocol;
  /** Full export URL of each signal; null: that signal is not exported. */
  readonly tracesUrl: string | null;
  readonly metricsUrl: string | null;
  /** Sent with every export (may hold an API key: never log them). */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly metricIntervalMs: number;
  readonly sampler: TracesSampler;
  /** The ratio of the traceidratio samplers. */
  readonly samplerRatio: number;
  readonly serviceName: string;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  /** Share of sampled traces whose SQL statements each get a span (failed and slow ones always do). */
  readonly sqlSpanRatio: number;
  /** A statement at least this slow always gets its span. */
  readonly sqlSlowMs: number;
}

/** Everything the app is configured with: read once from the environment, then passed down. */
export interface AppConfig {
  readonly server: ServerConfig;
  readonly identity: IdentityConfig;
  /** null: no workspace configured (no DATABRICKS_HOST or profile); the Lakebase admin is off. */
  readonly databricks: WorkspaceConfig | null;
  readonly lakebase: LakebaseNames;
  readonly lakebaseAdmin: LakebaseAdminConfig;
  readonly connection: ConnectionConfig;
  readonly database: DatabaseConfig;
  readonly orders: OrdersConfig;
  /** null: no OTLP endpoint (or OTEL_SDK_DISABLED=true); telemetry is off and costs nothing. */
  readonly telemetry: TelemetryConfig | null;
  readonly limits: LimitsConfig;
}
