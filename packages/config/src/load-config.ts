import { z } from "zod";
import type { AppConfig, LakebaseTarget, TableName, TelemetryConfig } from "./types.ts";
import { VARIABLES, type VariableName } from "./variables/catalogue.ts";
import { ENDPOINT_NAME } from "./variables/value-types.ts";

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
  const emails = (name: "APP_ADMINS" | "ORDER_STATUS_WRITERS", text: string) => {
    const list = text
      .split(",")
      .map((a) => a.trim().toLowerCase())
      .filter(Boolean);
    for (const email of list) {
      if (!z.email().safeParse(email).success) problems.push(`${name}: "${email}" is not an e-mail`);
    }
    return list;
  };
  const admins = emails("APP_ADMINS", e.APP_ADMINS ?? (inDatabricksApp ? "" : LOCAL_ADMIN));
  const statusWriters = e.ORDER_STATUS_WRITERS
    ? emails("ORDER_STATUS_WRITERS", e.ORDER_STATUS_WRITERS)
    : null;
  // Inside Apps the proxy says who calls; a fixed identity there would make every caller that person.
  if (inDatabricksApp && e.LOCAL_IDENTITY) {
    problems.push("LOCAL_IDENTITY: not allowed inside Databricks Apps (identities come only from the proxy)");
  }
  const allowedOrigins = (e.ALLOWED_ORIGINS ?? "")
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean)
    .map((o) => {
      const origin = URL.canParse(o) ? new URL(o).origin : "null";
      if (origin === "null" || !/^https?:/.test(origin) || origin !== o.replace(/\/$/, "")) {
        problems.push(`ALLOWED_ORIGINS: "${o}" is not an origin like https://host[:port]`);
      }
      return origin;
    });

  const allowedHosts = (e.ALLOWED_HOSTS ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  for (const host of allowedHosts) {
    if (!/^(?:[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*|\[[0-9a-f:.]{2,45}\])(?::[0-9]{1,5})?$/.test(host)) {
      problems.push(`ALLOWED_HOSTS: "${host}" is not a host name like app.example.com[:port]`);
    }
  }
  // Local development: anything but the built app (NODE_ENV=production), outside Databricks Apps.
  const localDevelopment = !inDatabricksApp && e.NODE_ENV !== "production";

  const catalogName = e.LAKEBASE_CATALOG_NAME ?? "orders_catalog";
  const syncedTable = tableName(e.LAKEBASE_SYNCED_TABLE ?? `${catalogName}.public.orders_synced`);
  // The synced table is registered in the catalog's database: in another catalog the app would not find it.
  if (syncedTable.catalog !== catalogName) {
    problems.push(
      `LAKEBASE_SYNCED_TABLE: "${syncedTable.fullName}" must be in the catalog LAKEBASE_CATALOG_NAME="${catalogName}"`,
    );
  }
  const target = lakebaseTarget(e, e.LAKEBASE_INSTANCE_NAME ?? "orders-local", problems);
  // An Autoscaling project is also reached through the database API, under its instance name: the project id
  // unless told otherwise (the admin manages it there; the connection's credentials are the endpoint's).
  const instanceName =
    e.LAKEBASE_INSTANCE_NAME ?? (target.flavour === "autoscaling" ? target.projectId : "orders-local");
  if (e.LAKEBASE_TOKEN_SOURCE === "provisioned" && target.flavour === "autoscaling") {
    problems.push(
      `LAKEBASE_TOKEN_SOURCE: provisioned contradicts ${e.LAKEBASE_ENDPOINT ? "LAKEBASE_ENDPOINT" : "LAKEBASE_PROJECT_ID"} (autoscaling): unset one`,
    );
  }
  if (e.LAKEBASE_TOKEN_SOURCE === "autoscaling" && target.flavour !== "autoscaling") {
    problems.push(
      "LAKEBASE_ENDPOINT: LAKEBASE_TOKEN_SOURCE=autoscaling needs projects/<p>/branches/<b>/endpoints/<e> (or LAKEBASE_PROJECT_ID)",
    );
  }
  const adminAuth = e.LAKEBASE_ADMIN_AUTH ?? (inDatabricksApp ? "user" : "service-principal");
  if (adminAuth === "user" && !inDatabricksApp) {
    problems.push(
      "LAKEBASE_ADMIN_AUTH: user needs Databricks Apps (DATABRICKS_APP_NAME): only its proxy vouches for a forwarded user token",
    );
  }
  const headers = keyValues(e.OTEL_EXPORTER_OTLP_HEADERS, "OTEL_EXPORTER_OTLP_HEADERS", problems);
  const resourceAttributes = keyValues(e.OTEL_RESOURCE_ATTRIBUTES, "OTEL_RESOURCE_ATTRIBUTES", problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const databaseName = e.LAKEBASE_DATABASE_NAME ?? "orders";
  const workspaceConfigured = e.DATABRICKS_HOST !== undefined || e.DATABRICKS_CONFIG_PROFILE !== undefined;
  const config: AppConfig = {
    server: {
      port: e.DATABRICKS_APP_PORT ?? e.PORT ?? 8000,
      // Apps routes traffic to every interface of the container; elsewhere only this machine, unless told.
      host: e.HOST ?? (inDatabricksApp ? "0.0.0.0" : "127.0.0.1"),
      staticDir: e.STATIC_DIR ?? null,
      logLevel: e.LOG_LEVEL ?? "info",
      allowedOrigins,
      allowedHosts,
      workers: e.CLUSTER_WORKERS ?? 0,
    },
    identity: {
      inDatabricksApp,
      appName: e.DATABRICKS_APP_NAME ?? null,
      localIdentity: localDevelopment ? (e.LOCAL_IDENTITY ?? LOCAL_ADMIN) : null,
      admins,
      adminAuth,
      trustForwardedHeaders: inDatabricksApp || (e.TRUST_FORWARDED_HEADERS ?? false),
      statusWriters,
    },
    databricks: workspaceConfigured
      ? {
          host: e.DATABRICKS_HOST ?? null,
          token: e.DATABRICKS_TOKEN ?? null,
          clientId: e.DATABRICKS_CLIENT_ID ?? null,
          clientSecret: e.DATABRICKS_CLIENT_SECRET ?? null,
          profile: e.DATABRICKS_CONFIG_PROFILE ?? null,
          timeoutSeconds: e.DATABRICKS_TIMEOUT_SECONDS ?? 30,
        }
      : null,
    lakebase: {
      target,
      instanceName,
      catalogName,
      databaseName,
      syncedTable,
      sourceTable: e.LAKEBASE_SOURCE_TABLE ?? "samples.tpch.orders",
      storageCatalog: e.SYNCED_TABLE_STORAGE_CATALOG ?? "main",
      storageSchema: e.SYNCED_TABLE_STORAGE_SCHEMA ?? "default",
    },
    lakebaseAdmin: {
      operationLeaseSeconds: e.LAKEBASE_OPERATION_LEASE_SECONDS ?? 30,
      statusPollSeconds: e.LAKEBASE_STATUS_POLL_SECONDS ?? 2,
      settledPollSeconds: e.LAKEBASE_SETTLED_POLL_SECONDS ?? 15,
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
        sslRootCert: e.PGSSLROOTCERT ?? null,
      },
      endpoint: target.flavour === "autoscaling" ? target.endpoint : null,
      target,
      tokenSource: e.LAKEBASE_TOKEN_SOURCE ?? null,
      refreshBeforeSeconds: e.LAKEBASE_TOKEN_REFRESH_BEFORE_SECONDS ?? 300,
      instanceName,
      databaseName,
    },
    database: {
      poolMax: e.DB_POOL_MAX ?? 10,
      migrationsDir: e.MIGRATIONS_DIR ?? null,
      migrationLockTimeoutSeconds: e.MIGRATION_LOCK_TIMEOUT_SECONDS ?? 60,
      startupRetryMaxSeconds: e.DB_STARTUP_RETRY_MAX_SECONDS ?? 5,
      readAsUser: e.ORDERS_READ_AS_USER === "on",
      userPools: {
        perUser: e.USER_POOL_MAX ?? 3,
        maxConnections: e.USER_POOLS_MAX_CONNECTIONS ?? 100,
        idleSeconds: e.USER_POOL_IDLE_SECONDS ?? 30,
        waitMillis: e.USER_POOL_WAIT_MILLIS ?? 2000,
      },
    },
    orders: {
      countCacheTtlSeconds: e.COUNT_CACHE_TTL_SECONDS ?? 10,
      rollupCheckSeconds: e.ORDERS_ROLLUP_CHECK_SECONDS ?? 5,
      rollupMinRebuildSeconds: e.ORDERS_ROLLUP_MIN_REBUILD_SECONDS ?? 60,
      maintainIndexes: (e.ORDERS_INDEXES ?? "on") === "on",
      sortKeys: e.ORDERS_SORT_KEYS ?? "auto",
    },
    telemetry: telemetryConfig(e, headers, resourceAttributes),
    limits: {
      maxBodyBytes: e.MAX_BODY_BYTES ?? 32 * 1024,
      maxBatchSize: e.MAX_BATCH_SIZE ?? 10,
      writesPerMinute: e.RATE_LIMIT_WRITES_PER_MINUTE ?? 60,
      expensiveReadsPerMinute: e.RATE_LIMIT_READS_PER_MINUTE ?? 120,
      exportsAtOnce: e.EXPORTS_AT_ONCE ?? 2,
      exportTimeoutSeconds: e.EXPORT_TIMEOUT_SECONDS ?? 900,
    },
  };
  return deepFreeze(config);
}

type Parsed = z.output<typeof envSchema>;

/**
 * The one choice of flavour. LAKEBASE_ENDPOINT (what Apps injects) names everything; LAKEBASE_PROJECT_ID
 * with LAKEBASE_BRANCH_ID / LAKEBASE_ENDPOINT_ID (defaults production / primary) is the same target spelt in
 * ids; both may be set when they agree. Neither: Provisioned, LAKEBASE_INSTANCE_NAME.
 */
function lakebaseTarget(e: Parsed, instanceName: string, problems: string[]): LakebaseTarget {
  const fromName = e.LAKEBASE_ENDPOINT ? ENDPOINT_NAME.exec(e.LAKEBASE_ENDPOINT) : null;
  if (!fromName && !e.LAKEBASE_PROJECT_ID) {
    for (const name of ["LAKEBASE_BRANCH_ID", "LAKEBASE_ENDPOINT_ID", "LAKEBASE_READ_ENDPOINT"] as const) {
      if (e[name])
        problems.push(`${name}: needs an Autoscaling target (LAKEBASE_PROJECT_ID or LAKEBASE_ENDPOINT)`);
    }
    return { flavour: "provisioned", instanceName };
  }
  const projectId = fromName?.[1] ?? e.LAKEBASE_PROJECT_ID ?? "";
  const branchId = fromName?.[2] ?? e.LAKEBASE_BRANCH_ID ?? "production";
  const endpointId = fromName?.[3] ?? e.LAKEBASE_ENDPOINT_ID ?? "primary";
  const given = [
    ["LAKEBASE_PROJECT_ID", e.LAKEBASE_PROJECT_ID, projectId],
    ["LAKEBASE_BRANCH_ID", e.LAKEBASE_BRANCH_ID, branchId],
    ["LAKEBASE_ENDPOINT_ID", e.LAKEBASE_ENDPOINT_ID, endpointId],
  ] as const;
  for (const [name, value, fromEndpoint] of given) {
    if (value && value !== fromEndpoint) {
      problems.push(`${name}: "${value}" contradicts LAKEBASE_ENDPOINT (${fromEndpoint}): unset one`);
    }
  }
  const project = `projects/${projectId}`;
  const branch = `${project}/branches/${branchId}`;
  const read = e.LAKEBASE_READ_ENDPOINT;
  return {
    flavour: "autoscaling",
    projectId,
    branchId,
    endpointId,
    project,
    branch,
    endpoint: `${branch}/endpoints/${endpointId}`,
    readEndpoint:
      read === undefined
        ? "discover"
        : read === "none" || read.includes("/")
          ? read
          : `${branch}/endpoints/${read}`,
  };
}

/**
 * The OTEL_* variables as the exporters need them. The base endpoint gets the signal's path for the HTTP
 * protocols (the spec's rule); a signal-specific endpoint, and any gRPC endpoint, is used as is.
 */
function telemetryConfig(
  e: Parsed,
  headers: Record<string, string>,
  resourceAttributes: Record<string, string>,
): TelemetryConfig | null {
  if (e.OTEL_SDK_DISABLED === "true") return null;
  const protocol = e.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf";
  const base = e.OTEL_EXPORTER_OTLP_ENDPOINT;
  const url = (specific: string | undefined, path: string, exporter: string | undefined) => {
    if (exporter === "none") return null;
    if (specific) return specific;
    if (!base) return null;
    return protocol === "grpc" ? base : `${base.replace(/\/+$/, "")}/${path}`;
  };
  const tracesUrl = url(e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, "v1/traces", e.OTEL_TRACES_EXPORTER);
  const metricsUrl = url(e.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, "v1/metrics", e.OTEL_METRICS_EXPORTER);
  if (tracesUrl === null && metricsUrl === null) return null;
  return {
    protocol,
    tracesUrl,
    metricsUrl,
    headers,
    timeoutMs: e.OTEL_EXPORTER_OTLP_TIMEOUT ?? 10_000,
    metricIntervalMs: e.OTEL_METRIC_EXPORT_INTERVAL ?? 60_000,
    sampler: e.OTEL_TRACES_SAMPLER ?? "parentbased_always_on",
    samplerRatio: e.OTEL_TRACES_SAMPLER_ARG ?? 1,
    serviceName: e.OTEL_SERVICE_NAME ?? e.DATABRICKS_APP_NAME ?? "lakebase-orders",
    resourceAttributes,
    sqlSpanRatio: e.TELEMETRY_SQL_SPAN_RATIO ?? 0.1,
    sqlSlowMs: e.TELEMETRY_SQL_SLOW_MILLIS ?? 100,
  };
}

/** `key=value,...` with percent-encoded values; a bad entry is named by its key (values may be secrets). */
function keyValues(text: string | undefined, variable: string, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text ?? "").split(",")) {
    if (pair.trim() === "") continue;
    const at = pair.indexOf("=");
    const key = pair.slice(0, at).trim();
    try {
      out[key] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      problems.push(`${variable}: the value of "${key}" is not valid percent-encoding`);
    }
  }
  return out;
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
