import { z } from "zod";

// Every environment variable the app reads: its type, its default and what it does, in one table. The
// README's variable table is rendered from it (a test keeps the two in sync), and `loadConfig` is the only
// code that looks at the environment.

export type VariableGroup =
  | "server"
  | "identity"
  | "databricks"
  | "lakebase"
  | "connection"
  | "database"
  | "telemetry";

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
const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
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
export const ADMIN_AUTHS = ["user", "service-principal"] as const;
/** OTLP transports: gRPC is what the Databricks Apps collector listens to; http/protobuf is the spec's default. */
export const OTLP_PROTOCOLS = ["grpc", "http/protobuf", "http/json"] as const;
export const TRACES_SAMPLERS = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;
const EXPORTERS = ["otlp", "none"] as const;
// OpenTelemetry booleans and enums are case-insensitive.
const lower = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" ? v.toLowerCase() : v), schema);
// `key=value,key=value`, values percent-encoded (the W3C baggage format the OTel spec uses for both).
const keyValueList = z
  .string()
  .refine(
    (s) => s.split(",").every((pair) => pair.trim() === "" || /^\s*[^=\s]+\s*=/.test(pair)),
    "must be key=value pairs separated by commas",
  );
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
  HOST: variable(
    "server",
    z.string().min(1),
    "0.0.0.0 inside Databricks Apps, 127.0.0.1 outside",
    "Interface to listen on. Outside Apps only this machine can connect unless you widen it.",
  ),
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
  ALLOWED_ORIGINS: variable(
    "server",
    z.string(),
    "",
    "Comma-separated origins (https://host[:port]) besides the app's own that may call the API from a browser.",
  ),
  MAX_BODY_BYTES: variable(
    "server",
    int(1024, 10 * 1024 * 1024),
    "32768",
    "Largest request body; larger ones get 413 before they are read.",
  ),
  MAX_BATCH_SIZE: variable(
    "server",
    int(1, 100),
    "10",
    "Most tRPC calls in one batched request (400 above). The SPA sends one call per request.",
  ),
  RATE_LIMIT_WRITES_PER_MINUTE: variable(
    "server",
    int(0, 1_000_000),
    "60",
    "Mutations per identity per minute, in bursts up to the same number (429 with Retry-After above); 0: off.",
  ),
  RATE_LIMIT_READS_PER_MINUTE: variable(
    "server",
    int(0, 1_000_000),
    "120",
    "Uncached expensive reads (counts, stats, deep pages) per identity per minute (429 above); 0: off.",
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
    "local-admin@example.com outside Apps; refused inside",
    "Who a request from this machine (loopback) without forwarded headers acts as, outside Databricks Apps.",
  ),
  TRUST_FORWARDED_HEADERS: variable(
    "identity",
    bool,
    "false outside Apps, always on inside",
    "Outside Apps: take the caller from X-Forwarded-Email / X-Forwarded-User (and X-Forwarded-Host), as behind an authenticating proxy. Only if nothing else can reach the port.",
  ),
  APP_ADMINS: variable(
    "identity",
    z.string(),
    "local-admin@example.com outside Apps, nobody inside",
    "Comma-separated e-mails allowed to create, stop, start and delete the Lakebase resources.",
  ),
  LAKEBASE_ADMIN_AUTH: variable(
    "identity",
    z.enum(ADMIN_AUTHS),
    "user inside Databricks Apps, service-principal outside",
    "Whose Databricks credentials the admin's create, delete, stop and start use: the signed-in user's (the token the Apps proxy forwards, so Databricks checks their permissions and audits them) or the app's own.",
  ),
  ORDER_STATUS_WRITERS: variable(
    "identity",
    z.string(),
    "everyone signed in",
    "Comma-separated e-mails allowed to change an order's status; anonymous callers never may.",
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
  DATABRICKS_TIMEOUT_SECONDS: variable(
    "databricks",
    int(1, 600),
    "30",
    "Deadline of every Databricks API call, the SDK's retries of 429 included (the SDK alone waits up to 300 s).",
  ),

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
  LAKEBASE_OPERATION_LEASE_SECONDS: variable(
    "lakebase",
    int(2, 3600),
    "30",
    "How long a create/delete/stop/start stays claimed after its process's last heartbeat; then another process resumes or reports it.",
  ),
  LAKEBASE_STATUS_POLL_SECONDS: variable(
    "lakebase",
    int(1, 600),
    "2",
    "How often the Lakebase status is re-read while something is running or moving (and while an operation waits).",
  ),
  LAKEBASE_SETTLED_POLL_SECONDS: variable(
    "lakebase",
    int(1, 3600),
    "15",
    "How often it is re-read while progress subscribers watch a settled state (changes made elsewhere show up).",
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
    "TLS mode (libpq names). require, verify-ca and verify-full verify the server certificate (like Databricks' driver); no-verify encrypts without checking (logged as a warning).",
  ),
  PGSSLROOTCERT: variable(
    "connection",
    z.string().min(1),
    "",
    "A PEM file of CA certificates trusted besides the system's (the local Lakebase hands out its CA).",
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
  MIGRATION_LOCK_TIMEOUT_SECONDS: variable(
    "database",
    int(1, 3600),
    "60",
    "How long migrations wait for another process's migration lock before failing with the holder's name.",
  ),
  DB_STARTUP_RETRY_MAX_SECONDS: variable(
    "database",
    int(1, 300),
    "5",
    "Longest pause between attempts to reach and migrate the database while it is down (the server listens meanwhile).",
  ),

  // ---- telemetry (OpenTelemetry's standard variables; the SDK gets them from here, not from the env)
  OTEL_EXPORTER_OTLP_ENDPOINT: variable(
    "telemetry",
    httpUrl,
    "",
    "OTLP collector base URL (Databricks Apps sets it when app telemetry is on). Set: traces and metrics are exported; unset: telemetry is off and costs nothing.",
  ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: variable(
    "telemetry",
    httpUrl,
    "<endpoint>/v1/traces (http), <endpoint> (grpc)",
    "Full URL for traces only (used as is).",
  ),
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: variable(
    "telemetry",
    httpUrl,
    "<endpoint>/v1/metrics (http), <endpoint> (grpc)",
    "Full URL for metrics only (used as is).",
  ),
  OTEL_EXPORTER_OTLP_PROTOCOL: variable(
    "telemetry",
    lower(z.enum(OTLP_PROTOCOLS)),
    "http/protobuf",
    "grpc, http/protobuf or http/json (Databricks Apps sets grpc).",
  ),
  OTEL_EXPORTER_OTLP_HEADERS: variable(
    "telemetry",
    keyValueList,
    "",
    "Headers sent with every export, key=value,... (percent-encoded values), e.g. an API key.",
    { secret: true },
  ),
  OTEL_EXPORTER_OTLP_TIMEOUT: variable(
    "telemetry",
    int(1, 600_000),
    "10000",
    "Milliseconds an export may take.",
  ),
  OTEL_SERVICE_NAME: variable(
    "telemetry",
    z.string().min(1),
    "DATABRICKS_APP_NAME, else lakebase-orders",
    "service.name of everything exported.",
  ),
  OTEL_RESOURCE_ATTRIBUTES: variable(
    "telemetry",
    keyValueList,
    "",
    "More resource attributes, key=value,... (Databricks Apps sets workspace.id and app.name).",
  ),
  OTEL_TRACES_EXPORTER: variable("telemetry", lower(z.enum(EXPORTERS)), "otlp", "none: export metrics only."),
  OTEL_METRICS_EXPORTER: variable("telemetry", lower(z.enum(EXPORTERS)), "otlp", "none: export traces only."),
  OTEL_TRACES_SAMPLER: variable(
    "telemetry",
    lower(z.enum(TRACES_SAMPLERS)),
    "parentbased_always_on",
    "Which traces are recorded (the standard samplers).",
  ),
  OTEL_TRACES_SAMPLER_ARG: variable(
    "telemetry",
    z.coerce.number().min(0).max(1),
    "1",
    "The ratio of the traceidratio samplers, 0..1.",
  ),
  OTEL_METRIC_EXPORT_INTERVAL: variable(
    "telemetry",
    int(100, 3_600_000),
    "60000",
    "Milliseconds between metric exports.",
  ),
  OTEL_SDK_DISABLED: variable(
    "telemetry",
    lower(z.enum(["true", "false"])),
    "false",
    "true: telemetry off whatever else is set.",
  ),
} as const satisfies Record<string, Variable>;

export type VariableName = keyof typeof VARIABLES;
