import { z } from "zod";

// Every environment variable the app reads: its type, its default and what it does, in one table. The
// README's variable table is rendered from it (a test keeps the two in sync), and `loadConfig` is the only
// code that looks at the environment.

export type VariableGroup = "server" | "identity" | "databricks" | "lakebase" | "connection" | "database";

export interface Variable<S extends z.ZodType = z.ZodType> {
  readonly group: VariableGroup;
  readonly schema: S;
  /** The default as a reader should see it; "" when unset means "off" or "not used". */
  readonly default: string;
  readonly doc: string;
  /** Never echoed back in a validation error. */
  readonly secret?: boolean;
}

function variable<S extends z.ZodType>(
  group: VariableGroup,
  schema: S,
  defaultText: string,
  doc: string,
  options: { secret?: boolean } = {},
): Variable<z.ZodOptional<S>> {
  return { group, schema: schema.optional(), default: defaultText, doc, ...options };
}

const port = z.coerce.number().int().min(0).max(65535);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const httpUrl = z.string().refine((s) => /^https?:\/\//.test(s) && URL.canParse(s), "must be an http(s) URL");
const postgresUrl = z
  .string()
  .refine(
    (s) => /^postgres(ql)?:\/\//.test(s) && URL.canParse(s),
    "must be a postgresql://user@host:port/db URL",
  );
const INSTANCE = /^[a-z][a-z0-9-]{0,62}$/;
const UC_IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
// Schema and table parts may carry hyphens (a UC name in backticks); they are quoted wherever SQL uses them.
const THREE_PART = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_-]*$/;
const ucIdent = z.string().regex(UC_IDENT, "a Unity Catalog identifier (letters, digits, _)");
const threePart = z.string().regex(THREE_PART, "must be catalog.schema.table");

/** libpq sslmode values, plus node-postgres' own `no-verify`. pg cannot negotiate: allow/prefer mean no TLS. */
export const SSL_MODES = [
  "disable",
  "allow",
  "prefer",
  "require",
  "no-verify",
  "verify-ca",
  "verify-full",
] as const;
export type SslMode = (typeof SSL_MODES)[number];

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export const TOKEN_SOURCES = ["provisioned", "autoscaling", "workspace"] as const;

export const VARIABLES = {
  // ---- server
  DATABRICKS_APP_PORT: variable(
    "server",
    port,
    "",
    "Port to listen on, set by Databricks Apps; wins over PORT.",
  ),
  PORT: variable("server", port, "8000", "Port to listen on outside Databricks Apps (0: any free port)."),
  HOST: variable("server", z.string().min(1), "0.0.0.0", "Interface to listen on."),
  STATIC_DIR: variable("server", z.string().min(1), "", "A built SPA to serve beside the API."),
  LOG_LEVEL: variable("server", z.enum(LOG_LEVELS), "info", "Lowest level written to the JSON log."),
  COUNT_CACHE_TTL_SECONDS: variable(
    "server",
    int(0, 3600),
    "10",
    "Seconds a scanned count or stats result is fresh, before the rollup exists (then served as long again while one refresh runs).",
  ),
  CLUSTER_WORKERS: variable(
    "server",
    int(0, 64),
    "0 (one per vCPU)",
    "Worker processes serving requests; 0: one per available vCPU, 1: a single process (no cluster).",
  ),
  ORDERS_ROLLUP_CHECK_SECONDS: variable(
    "server",
    int(1, 3600),
    "5",
    "How often each process checks the synced table for changes that call for a new counts rollup.",
  ),
  ORDERS_ROLLUP_MIN_REBUILD_SECONDS: variable(
    "server",
    int(0, 86400),
    "60",
    "Least time between two rebuilds of the counts rollup (each scans the synced table); in between, figures are flagged stale.",
  ),
  ORDERS_INDEXES: variable(
    "server",
    z.enum(["on", "off"]),
    "on",
    "Build the indexes the orders sorts need on the synced table (CONCURRENTLY, again after a refresh replaces it).",
  ),

  // ---- identity
  DATABRICKS_APP_NAME: variable(
    "identity",
    z.string().min(1),
    "",
    "Set by Databricks Apps. When set, identities come only from the Apps proxy's headers.",
  ),
  LOCAL_IDENTITY: variable(
    "identity",
    z.string().min(1).max(320),
    "local-admin@example.com outside Apps, none inside",
    "Who a request without the proxy's headers acts as.",
  ),
  APP_ADMINS: variable(
    "identity",
    z.string(),
    "local-admin@example.com outside Apps, nobody inside",
    "Comma-separated e-mails allowed to create, stop, start and delete the Lakebase resources.",
  ),

  // ---- databricks (the SDK's standard variables)
  DATABRICKS_HOST: variable(
    "databricks",
    httpUrl,
    "",
    "Workspace URL. Set (or a profile): the Lakebase admin is on.",
  ),
  DATABRICKS_TOKEN: variable("databricks", z.string().min(1), "", "A personal access token.", {
    secret: true,
  }),
  DATABRICKS_CLIENT_ID: variable(
    "databricks",
    z.string().min(1),
    "",
    "OAuth M2M client id (the app's service principal in Databricks Apps); also the Postgres user.",
  ),
  DATABRICKS_CLIENT_SECRET: variable("databricks", z.string().min(1), "", "OAuth M2M client secret.", {
    secret: true,
  }),
  DATABRICKS_CONFIG_PROFILE: variable("databricks", z.string().min(1), "", "A profile of ~/.databrickscfg."),

  // ---- lakebase (the resources; defaults match the local Lakebase's seed)
  LAKEBASE_INSTANCE_NAME: variable(
    "lakebase",
    z.string().regex(INSTANCE, "lowercase letters, digits and hyphens, starting with a letter, at most 63"),
    "orders-local",
    "The database instance: managed by the admin, and the scope of the Postgres tokens.",
  ),
  LAKEBASE_CATALOG_NAME: variable(
    "lakebase",
    ucIdent,
    "orders_catalog",
    "Unity Catalog catalog of the database.",
  ),
  LAKEBASE_DATABASE_NAME: variable(
    "lakebase",
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/, "a Postgres database name"),
    "orders",
    "Postgres database holding the synced table and app_data (unless PGDATABASE or a URL names one).",
  ),
  LAKEBASE_SYNCED_TABLE: variable(
    "lakebase",
    threePart,
    "<catalog>.public.orders_synced",
    "The synced orders table, catalog.schema.table; its schema is the Postgres schema.",
  ),
  LAKEBASE_SOURCE_TABLE: variable(
    "lakebase",
    threePart,
    "samples.tpch.orders",
    "Delta table the sync reads.",
  ),
  SYNCED_TABLE_STORAGE_CATALOG: variable(
    "lakebase",
    ucIdent,
    "main",
    "Catalog where the sync pipeline keeps state.",
  ),
  SYNCED_TABLE_STORAGE_SCHEMA: variable(
    "lakebase",
    ucIdent,
    "default",
    "Schema where the sync pipeline keeps state.",
  ),

  // ---- connection (how the app reaches Postgres)
  LAKEBASE_PG_URL: variable(
    "connection",
    postgresUrl,
    "",
    "Explicit primary URL; with a password it is static, without one the password is a Lakebase token.",
    { secret: true },
  ),
  LAKEBASE_PG_READ_URL: variable(
    "connection",
    postgresUrl,
    "",
    "A readable secondary for orders reads (else the instance's read_only_dns, if it has one).",
    { secret: true },
  ),
  PGHOST: variable("connection", z.string().min(1), "", "Set by a Databricks Apps database resource."),
  PGPORT: variable("connection", int(1, 65535), "5432", "Postgres port (the local Lakebase sets its own)."),
  PGDATABASE: variable("connection", z.string().min(1), "", "Set by a Databricks Apps database resource."),
  PGUSER: variable("connection", z.string().min(1), "the Databricks identity", "Postgres user."),
  PGPASSWORD: variable("connection", z.string().min(1), "", "A static password instead of tokens.", {
    secret: true,
  }),
  PGSSLMODE: variable(
    "connection",
    z.enum(SSL_MODES),
    "require with tokens, disable with a static password",
    "TLS mode (libpq names).",
  ),
  LAKEBASE_ENDPOINT: variable(
    "connection",
    z.string().min(1),
    "",
    "Autoscaling endpoint projects/<p>/branches/<b>/endpoints/<e>: selects autoscaling credentials.",
  ),
  LAKEBASE_TOKEN_SOURCE: variable(
    "connection",
    z.enum(TOKEN_SOURCES),
    "provisioned (autoscaling with LAKEBASE_ENDPOINT)",
    "Where Postgres passwords come from; workspace = the SDK's own OAuth token.",
  ),
  LAKEBASE_TOKEN_REFRESH_BEFORE_SECONDS: variable(
    "connection",
    int(0, 3600),
    "300",
    "Refresh a token this long before it expires (at most half its lifetime).",
  ),

  // ---- database (the app's pool and migrations)
  DB_POOL_MAX: variable(
    "database",
    int(1, 200),
    "10",
    "Connections in the primary pool (and in the read pool).",
  ),
  MIGRATIONS_DIR: variable(
    "database",
    z.string().min(1),
    "packages/db/prisma/migrations",
    "The app_data SQL migrations (the deployed bundle sets its own).",
  ),
} as const satisfies Record<string, Variable>;

export type VariableName = keyof typeof VARIABLES;
