import { describe, expect, it } from "vitest";
import { ConfigError, LOCAL_ADMIN, loadConfig } from "./load-config.ts";

describe("loadConfig", () => {
  it("runs on the local defaults with nothing set", () => {
    const c = loadConfig({});
    expect(c.server).toEqual({ port: 8000, host: "0.0.0.0", staticDir: null, logLevel: "info", workers: 0 });
    expect(c.orders).toEqual({
      countCacheTtlSeconds: 10,
      rollupCheckSeconds: 5,
      rollupMinRebuildSeconds: 60,
      maintainIndexes: true,
    });
    expect(c.identity).toEqual({
      inDatabricksApp: false,
      appName: null,
      localIdentity: LOCAL_ADMIN,
      admins: [LOCAL_ADMIN],
    });
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
    });
    expect(c.server.workers).toBe(3);
    expect(c.orders).toMatchObject({
      rollupCheckSeconds: 30,
      rollupMinRebuildSeconds: 0,
      maintainIndexes: false,
    });
    expect(() => loadConfig({ CLUSTER_WORKERS: "-1" })).toThrow(/CLUSTER_WORKERS/);
    expect(() => loadConfig({ ORDERS_ROLLUP_CHECK_SECONDS: "0" })).toThrow(/ORDERS_ROLLUP_CHECK_SECONDS/);
    expect(() => loadConfig({ ORDERS_INDEXES: "maybe" })).toThrow(/ORDERS_INDEXES/);
  });

  it.each(["orders", "a.b.c.d", 'c.public.x"; drop table y; --', "c..t", "c.s.t t"])(
    "refuses the synced table %j",
    (name) => {
      expect(() => loadConfig({ LAKEBASE_SYNCED_TABLE: name })).toThrow(/LAKEBASE_SYNCED_TABLE/);
    },
  );

  it("inside Databricks Apps has no local identity and no admin unless configured", () => {
    const inApps = loadConfig({ DATABRICKS_APP_NAME: "lakebase-orders", DATABRICKS_APP_PORT: "8080" });
    expect(inApps.identity).toMatchObject({ inDatabricksApp: true, localIdentity: null, admins: [] });
    expect(inApps.server.port).toBe(8080);
    const named = loadConfig({ DATABRICKS_APP_NAME: "x", APP_ADMINS: " Ada@Example.com , bob@example.com" });
    expect(named.identity.admins).toEqual(["ada@example.com", "bob@example.com"]);
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
      loadConfig({ LAKEBASE_TOKEN_SOURCE: "provisioned", LAKEBASE_ENDPOINT: "projects/p" }),
    ).toThrow(/contradicts/);
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
});
