import { describe, expect, it } from "vitest";
import { ConfigError, LOCAL_ADMIN, loadConfig } from "./load-config.ts";

describe("loadConfig", () => {
  it("runs on the local defaults with nothing set", () => {
    const c = loadConfig({});
    // Outside Apps only this machine can connect, and forwarded headers are not believed.
    expect(c.server).toEqual({
      port: 8000,
      host: "127.0.0.1",
      staticDir: null,
      logLevel: "info",
      allowedOrigins: [],
      allowedHosts: [],
      workers: 0,
    });
    expect(c.orders).toEqual({
      countCacheTtlSeconds: 10,
      rollupCheckSeconds: 5,
      rollupMinRebuildSeconds: 60,
      maintainIndexes: true,
      sortKeys: "auto",
    });
    expect(c.identity).toEqual({
      inDatabricksApp: false,
      appName: null,
      localIdentity: LOCAL_ADMIN,
      admins: [LOCAL_ADMIN],
      adminAuth: "service-principal",
      trustForwardedHeaders: false,
      statusWriters: null,
    });
    expect(c.limits).toEqual({
      maxBodyBytes: 32768,
      maxBatchSize: 10,
      writesPerMinute: 60,
      expensiveReadsPerMinute: 120,
      exportsAtOnce: 2,
      exportTimeoutSeconds: 900,
    });
    expect(c.connection.pg.sslRootCert).toBeNull();
    expect(c.databricks).toBeNull();
    expect(c.lakebase).toMatchObject({
      instanceName: "orders-local",
      catalogName: "orders_catalog",
      databaseName: "orders",
      syncedTable: {
        fullName: "orders_catalog.public.orders_synced",
        catalog: "orders_catalog",
        schema: "public",
        table: "orders_synced",
      },
    });
  });

  it("uses one database name for the admin and the connection", () => {
    const c = loadConfig({ LAKEBASE_DATABASE_NAME: "sales" });
    expect(c.lakebase.databaseName).toBe("sales");
    expect(c.connection.databaseName).toBe("sales");
    expect(loadConfig({}).connection.databaseName).toBe(loadConfig({}).lakebase.databaseName);
  });

  it("derives the synced table from the catalog, and refuses one in another catalog", () => {
    expect(loadConfig({ LAKEBASE_CATALOG_NAME: "cat" }).lakebase.syncedTable.fullName).toBe(
      "cat.public.orders_synced",
    );
    expect(
      loadConfig({ LAKEBASE_CATALOG_NAME: "cat", LAKEBASE_SYNCED_TABLE: "cat.Tpch-1.orders_x" }).lakebase
        .syncedTable,
    ).toMatchObject({ schema: "Tpch-1", table: "orders_x" });
    expect(() => loadConfig({ LAKEBASE_SYNCED_TABLE: "other.public.t" })).toThrow(
      /LAKEBASE_SYNCED_TABLE: "other.public.t" must be in the catalog/,
    );
  });

  it("reads the cluster and orders performance settings, and refuses bad ones by name", () => {
    const c = loadConfig({
      CLUSTER_WORKERS: "3",
      ORDERS_ROLLUP_CHECK_SECONDS: "30",
      ORDERS_ROLLUP_MIN_REBUILD_SECONDS: "0",
      ORDERS_INDEXES: "off",
      ORDERS_SORT_KEYS: "projection",
    });
    expect(c.server.workers).toBe(3);
    expect(c.orders).toMatchObject({
      rollupCheckSeconds: 30,
      rollupMinRebuildSeconds: 0,
      maintainIndexes: false,
      sortKeys: "projection",
    });
    expect(() => loadConfig({ CLUSTER_WORKERS: "-1" })).toThrow(/CLUSTER_WORKERS/);
    expect(() => loadConfig({ ORDERS_ROLLUP_CHECK_SECONDS: "0" })).toThrow(/ORDERS_ROLLUP_CHECK_SECONDS/);
    expect(() => loadConfig({ ORDERS_INDEXES: "maybe" })).toThrow(/ORDERS_INDEXES/);
    expect(() => loadConfig({ ORDERS_SORT_KEYS: "both" })).toThrow(/ORDERS_SORT_KEYS/);
  });

  it.each(["orders", "a.b.c.d", 'c.public.x"; drop table y; --', "c..t", "c.s.t t"])(
    "refuses the synced table %j",
    (name) => {
      expect(() => loadConfig({ LAKEBASE_SYNCED_TABLE: name })).toThrow(/LAKEBASE_SYNCED_TABLE/);
    },
  );

  it("inside Databricks Apps has no local identity and no admin unless configured", () => {
    const inApps = loadConfig({ DATABRICKS_APP_NAME: "lakebase-orders", DATABRICKS_APP_PORT: "8080" });
    expect(inApps.identity).toMatchObject({
      inDatabricksApp: true,
      localIdentity: null,
      admins: [],
      trustForwardedHeaders: true,
    });
    expect(inApps.server).toMatchObject({ port: 8080, host: "0.0.0.0" });
    const named = loadConfig({ DATABRICKS_APP_NAME: "x", APP_ADMINS: " Ada@Example.com , bob@example.com" });
    expect(named.identity.admins).toEqual(["ada@example.com", "bob@example.com"]);
  });

  it("has a local identity only in local development: never with NODE_ENV=production", () => {
    expect(loadConfig({ NODE_ENV: "development" }).identity.localIdentity).toBe(LOCAL_ADMIN);
    expect(loadConfig({ NODE_ENV: "test", LOCAL_IDENTITY: "qa@example.com" }).identity.localIdentity).toBe(
      "qa@example.com",
    );
    expect(loadConfig({ NODE_ENV: "production" }).identity.localIdentity).toBeNull();
    expect(
      loadConfig({ NODE_ENV: "production", LOCAL_IDENTITY: "qa@example.com" }).identity.localIdentity,
    ).toBeNull();
  });

  it("reads the hosts a request may name, and refuses what is not a host", () => {
    expect(
      loadConfig({ ALLOWED_HOSTS: " Dev.Example.com , box.lan:8000,[::1]:9000" }).server.allowedHosts,
    ).toEqual(["dev.example.com", "box.lan:8000", "[::1]:9000"]);
    for (const bad of ["https://dev.example.com", "dev.example.com/x", "a b", "*.example.com"]) {
      expect(() => loadConfig({ ALLOWED_HOSTS: bad }), bad).toThrow(/ALLOWED_HOSTS/);
    }
    expect(loadConfig({ EXPORTS_AT_ONCE: "4", EXPORT_TIMEOUT_SECONDS: "60" }).limits).toMatchObject({
      exportsAtOnce: 4,
      exportTimeoutSeconds: 60,
    });
  });

  it("reads the security settings, and refuses a local identity inside Apps", () => {
    const c = loadConfig({
      HOST: "0.0.0.0",
      TRUST_FORWARDED_HEADERS: "1",
      ORDER_STATUS_WRITERS: "Ana@Example.com, bob@example.com",
      ALLOWED_ORIGINS: "https://tools.example.com, http://localhost:5173/",
      MAX_BODY_BYTES: "65536",
      MAX_BATCH_SIZE: "20",
      RATE_LIMIT_WRITES_PER_MINUTE: "0",
      RATE_LIMIT_READS_PER_MINUTE: "30",
      PGSSLROOTCERT: "/etc/ssl/lakebase-ca.pem",
    });
    expect(c.server).toMatchObject({
      host: "0.0.0.0",
      allowedOrigins: ["https://tools.example.com", "http://localhost:5173"],
    });
    expect(c.identity).toMatchObject({
      trustForwardedHeaders: true,
      statusWriters: ["ana@example.com", "bob@example.com"],
    });
    expect(c.limits).toEqual({
      maxBodyBytes: 65536,
      maxBatchSize: 20,
      writesPerMinute: 0,
      expensiveReadsPerMinute: 30,
      exportsAtOnce: 2,
      exportTimeoutSeconds: 900,
    });
    expect(c.connection.pg.sslRootCert).toBe("/etc/ssl/lakebase-ca.pem");
    expect(() => loadConfig({ DATABRICKS_APP_NAME: "x", LOCAL_IDENTITY: "qa@example.com" })).toThrow(
      /LOCAL_IDENTITY: not allowed inside Databricks Apps/,
    );
    for (const [name, value] of [
      ["ALLOWED_ORIGINS", "https://x.example/path"],
      ["ALLOWED_ORIGINS", "evil"],
      ["TRUST_FORWARDED_HEADERS", "yes"],
      ["MAX_BODY_BYTES", "10"],
      ["MAX_BATCH_SIZE", "0"],
      ["ORDER_STATUS_WRITERS", "bob"],
    ] as const) {
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(new RegExp(name));
    }
  });

  it("names every bad variable at once, never a secret's value", () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: "http",
        LAKEBASE_INSTANCE_NAME: "Bad_Name",
        LAKEBASE_PG_URL: "mysql://u:hunter2@h/db",
        LOG_LEVEL: "loud",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ["PORT", "LAKEBASE_INSTANCE_NAME", "LAKEBASE_PG_URL", "LOG_LEVEL"]) {
      expect(message).toContain(`${name}:`);
    }
    expect(message).not.toContain("hunter2");
  });

  it("refuses a bad admin e-mail and contradicting token settings", () => {
    expect(() => loadConfig({ APP_ADMINS: "not-an-email" })).toThrow(/APP_ADMINS: "not-an-email"/);
    expect(() =>
      loadConfig({
        LAKEBASE_TOKEN_SOURCE: "provisioned",
        LAKEBASE_ENDPOINT: "projects/p/branches/b/endpoints/e",
      }),
    ).toThrow(/contradicts LAKEBASE_ENDPOINT/);
    expect(() => loadConfig({ LAKEBASE_TOKEN_SOURCE: "autoscaling" })).toThrow(/LAKEBASE_ENDPOINT/);
  });

  it("treats empty and blank values as unset, and ignores variables it does not know", () => {
    const c = loadConfig({ PORT: "", LAKEBASE_INSTANCE_NAME: "  ", SOMETHING_ELSE: "x" });
    expect(c.server.port).toBe(8000);
    expect(c.lakebase.instanceName).toBe("orders-local");
  });

  it("sees a workspace from a host or a profile, with the SDK's credentials", () => {
    expect(
      loadConfig({ DATABRICKS_HOST: "https://x.cloud.databricks.com", DATABRICKS_TOKEN: "t" }).databricks,
    ).toEqual({
      host: "https://x.cloud.databricks.com",
      token: "t",
      clientId: null,
      clientSecret: null,
      profile: null,
      timeoutSeconds: 30,
    });
    expect(loadConfig({ DATABRICKS_CONFIG_PROFILE: "dev" }).databricks?.profile).toBe("dev");
    expect(() => loadConfig({ DATABRICKS_HOST: "not a url" })).toThrow(/DATABRICKS_HOST/);
  });

  it("is frozen all the way down", () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.lakebase.syncedTable)).toBe(true);
    expect(Object.isFrozen(c.identity.admins)).toBe(true);
  });

  it("reads the reliability settings with their defaults, and refuses out-of-range ones", () => {
    const d = loadConfig({});
    expect(d.database).toMatchObject({ migrationLockTimeoutSeconds: 60, startupRetryMaxSeconds: 5 });
    expect(d.lakebaseAdmin).toEqual({
      operationLeaseSeconds: 30,
      statusPollSeconds: 2,
      settledPollSeconds: 15,
    });
    const c = loadConfig({
      DATABRICKS_HOST: "https://x.cloud.databricks.com",
      DATABRICKS_TIMEOUT_SECONDS: "12",
      MIGRATION_LOCK_TIMEOUT_SECONDS: "5",
      DB_STARTUP_RETRY_MAX_SECONDS: "2",
      LAKEBASE_OPERATION_LEASE_SECONDS: "9",
      LAKEBASE_STATUS_POLL_SECONDS: "1",
      LAKEBASE_SETTLED_POLL_SECONDS: "60",
    });
    expect(c.databricks?.timeoutSeconds).toBe(12);
    expect(c.database).toMatchObject({ migrationLockTimeoutSeconds: 5, startupRetryMaxSeconds: 2 });
    expect(c.lakebaseAdmin).toEqual({
      operationLeaseSeconds: 9,
      statusPollSeconds: 1,
      settledPollSeconds: 60,
    });
    expect(() => loadConfig({ LAKEBASE_OPERATION_LEASE_SECONDS: "1" })).toThrow(
      /LAKEBASE_OPERATION_LEASE_SECONDS/,
    );
    expect(() => loadConfig({ DATABRICKS_TIMEOUT_SECONDS: "0" })).toThrow(/DATABRICKS_TIMEOUT_SECONDS/);
  });
});

describe("loadConfig: the Lakebase target (Provisioned or Autoscaling, chosen once)", () => {
  it("is Provisioned with the instance when no Autoscaling variable is set", () => {
    const c = loadConfig({ LAKEBASE_INSTANCE_NAME: "orders-prod" });
    expect(c.lakebase.target).toEqual({ flavour: "provisioned", instanceName: "orders-prod" });
    expect(c.connection.target).toBe(c.lakebase.target);
    expect(c.connection.endpoint).toBeNull();
  });

  it("is Autoscaling from LAKEBASE_ENDPOINT, as Databricks Apps injects it, discovering a read-only endpoint", () => {
    const c = loadConfig({ LAKEBASE_ENDPOINT: "projects/orders/branches/main/endpoints/rw" });
    expect(c.lakebase.target).toEqual({
      flavour: "autoscaling",
      projectId: "orders",
      branchId: "main",
      endpointId: "rw",
      project: "projects/orders",
      branch: "projects/orders/branches/main",
      endpoint: "projects/orders/branches/main/endpoints/rw",
      readEndpoint: "discover",
    });
    expect(c.connection.endpoint).toBe("projects/orders/branches/main/endpoints/rw");
    // The project as the database API names it (what the admin manages), unless LAKEBASE_INSTANCE_NAME says.
    expect(c.lakebase.instanceName).toBe("orders");
    expect(
      loadConfig({
        LAKEBASE_ENDPOINT: "projects/orders/branches/main/endpoints/rw",
        LAKEBASE_INSTANCE_NAME: "legacy",
      }).lakebase.instanceName,
    ).toBe("legacy");
  });

  it("is Autoscaling from LAKEBASE_PROJECT_ID, on production/primary unless told", () => {
    const c = loadConfig({ LAKEBASE_PROJECT_ID: "orders", LAKEBASE_READ_ENDPOINT: "reader" });
    expect(c.lakebase.target).toMatchObject({
      flavour: "autoscaling",
      endpoint: "projects/orders/branches/production/endpoints/primary",
      readEndpoint: "projects/orders/branches/production/endpoints/reader",
    });
    const d = loadConfig({
      LAKEBASE_PROJECT_ID: "orders",
      LAKEBASE_BRANCH_ID: "dev",
      LAKEBASE_READ_ENDPOINT: "none",
    });
    expect(d.lakebase.target).toMatchObject({
      branch: "projects/orders/branches/dev",
      endpoint: "projects/orders/branches/dev/endpoints/primary",
      readEndpoint: "none",
    });
    // Both spellings may be given when they agree.
    expect(
      loadConfig({
        LAKEBASE_ENDPOINT: "projects/orders/branches/dev/endpoints/primary",
        LAKEBASE_PROJECT_ID: "orders",
        LAKEBASE_BRANCH_ID: "dev",
      }).lakebase.target.flavour,
    ).toBe("autoscaling");
  });

  it("refuses a malformed endpoint, ids that contradict it, and branch settings without a project", () => {
    expect(() => loadConfig({ LAKEBASE_ENDPOINT: "orders-local" })).toThrow(
      /LAKEBASE_ENDPOINT: must be projects\/<project>/,
    );
    expect(() =>
      loadConfig({ LAKEBASE_ENDPOINT: "projects/a/branches/b/endpoints/e", LAKEBASE_PROJECT_ID: "other" }),
    ).toThrow(/LAKEBASE_PROJECT_ID: "other" contradicts LAKEBASE_ENDPOINT/);
    expect(() => loadConfig({ LAKEBASE_BRANCH_ID: "dev" })).toThrow(
      /LAKEBASE_BRANCH_ID: needs an Autoscaling target/,
    );
    expect(() => loadConfig({ LAKEBASE_PROJECT_ID: "Bad_Id" })).toThrow(/LAKEBASE_PROJECT_ID/);
    expect(() => loadConfig({ LAKEBASE_PROJECT_ID: "p", LAKEBASE_READ_ENDPOINT: "projects/x" })).toThrow(
      /LAKEBASE_READ_ENDPOINT/,
    );
    expect(() => loadConfig({ LAKEBASE_PROJECT_ID: "p", LAKEBASE_TOKEN_SOURCE: "provisioned" })).toThrow(
      /contradicts LAKEBASE_PROJECT_ID/,
    );
    expect(
      loadConfig({ LAKEBASE_PROJECT_ID: "p", LAKEBASE_TOKEN_SOURCE: "autoscaling" }).connection.endpoint,
    ).toBe("projects/p/branches/production/endpoints/primary");
  });
});

describe("loadConfig: telemetry (the OTEL_* variables)", () => {
  it("is off with no endpoint, or when the SDK is disabled", () => {
    expect(loadConfig({}).telemetry).toBeNull();
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:4318", OTEL_SDK_DISABLED: "TRUE" })
        .telemetry,
    ).toBeNull();
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:4318",
        OTEL_TRACES_EXPORTER: "none",
        OTEL_METRICS_EXPORTER: "none",
      }).telemetry,
    ).toBeNull();
  });

  it("appends the signal paths for HTTP, keeps a gRPC endpoint as is, and defaults like the spec", () => {
    const http = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" }).telemetry;
    expect(http).toEqual({
      protocol: "http/protobuf",
      tracesUrl: "http://collector:4318/v1/traces",
      metricsUrl: "http://collector:4318/v1/metrics",
      headers: {},
      timeoutMs: 10_000,
      metricIntervalMs: 60_000,
      sampler: "parentbased_always_on",
      samplerRatio: 1,
      serviceName: "lakebase-orders",
      resourceAttributes: {},
      sqlSpanRatio: 0.1,
      sqlSlowMs: 100,
    });
    // What Databricks Apps sets when app telemetry is on.
    const apps = loadConfig({
      DATABRICKS_APP_NAME: "orders-app",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:4314",
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      OTEL_RESOURCE_ATTRIBUTES: "workspace.id=123,app.name=orders-app",
    }).telemetry;
    expect(apps).toMatchObject({
      protocol: "grpc",
      tracesUrl: "http://localhost:4314",
      metricsUrl: "http://localhost:4314",
      serviceName: "orders-app",
      resourceAttributes: { "workspace.id": "123", "app.name": "orders-app" },
    });
  });

  it("takes signal-specific endpoints as is, and turns one signal off", () => {
    const c = loadConfig({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://traces.example.com/custom",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: "svc",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.25",
      OTEL_METRIC_EXPORT_INTERVAL: "1000",
      TELEMETRY_SQL_SPAN_RATIO: "1",
      TELEMETRY_SQL_SLOW_MILLIS: "0",
    }).telemetry;
    expect(c).toMatchObject({
      sqlSpanRatio: 1,
      sqlSlowMs: 0,
      protocol: "http/json",
      tracesUrl: "https://traces.example.com/custom",
      metricsUrl: null,
      serviceName: "svc",
      sampler: "parentbased_traceidratio",
      samplerRatio: 0.25,
      metricIntervalMs: 1000,
    });
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_METRICS_EXPORTER: "none" }).telemetry,
    ).toMatchObject({ tracesUrl: "http://c:4318/v1/traces", metricsUrl: null });
  });

  it("decodes headers, and names a bad one without its value", () => {
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
        OTEL_EXPORTER_OTLP_HEADERS: "api-key=s%3Dcret , x-tenant=a b",
      }).telemetry?.headers,
    ).toEqual({ "api-key": "s=cret", "x-tenant": "a b" });
    const attempt = (headers: string) => () =>
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_EXPORTER_OTLP_HEADERS: headers });
    expect(attempt("api-key=%E0%A4%Ahunter2")).toThrow(/OTEL_EXPORTER_OTLP_HEADERS: the value of "api-key"/);
    expect(attempt("api-key=%E0%A4%Ahunter2")).not.toThrow(/hunter2/);
    expect(attempt("hunter2")).toThrow(/OTEL_EXPORTER_OTLP_HEADERS: must be key=value pairs/);
    expect(attempt("hunter2")).not.toThrow(/hunter2/);
  });

  it("refuses bad values by name", () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "localhost:4317" })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: "thrift" })).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL/,
    );
    expect(() => loadConfig({ OTEL_TRACES_SAMPLER_ARG: "2" })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });
});

describe("loadConfig: whose credentials the admin's mutations use (LAKEBASE_ADMIN_AUTH)", () => {
  it("is the signed-in user inside Databricks Apps and the configured credentials outside, by default", () => {
    expect(loadConfig({ DATABRICKS_APP_NAME: "orders" }).identity.adminAuth).toBe("user");
    expect(loadConfig({}).identity.adminAuth).toBe("service-principal");
    expect(
      loadConfig({ DATABRICKS_APP_NAME: "orders", LAKEBASE_ADMIN_AUTH: "service-principal" }).identity
        .adminAuth,
    ).toBe("service-principal");
  });

  it("refuses user outside Databricks Apps (no proxy vouches for a forwarded token) and unknown values", () => {
    expect(() => loadConfig({ LAKEBASE_ADMIN_AUTH: "user" })).toThrow(/LAKEBASE_ADMIN_AUTH: user needs/);
    expect(() => loadConfig({ DATABRICKS_APP_NAME: "x", LAKEBASE_ADMIN_AUTH: "obo" })).toThrow(
      /LAKEBASE_ADMIN_AUTH/,
    );
  });
});
