import { describe, expect, it } from "vitest";
import { LakebaseConfigError, loadLakebaseConfig } from "./config.ts";

describe("loadLakebaseConfig", () => {
  it("defaults to the local Lakebase dev seed, not configured without DATABRICKS_HOST", () => {
    const c = loadLakebaseConfig({});
    expect(c).toMatchObject({
      configured: false,
      instanceName: "orders-local",
      catalogName: "orders_catalog",
      databaseName: "orders",
      syncedTable: "orders_catalog.public.orders_synced",
      sourceTable: "samples.tpch.orders",
      admins: ["local-admin@example.com"],
    });
  });

  it("derives the synced table from the catalog, treats empty values as unset, normalises admins", () => {
    const c = loadLakebaseConfig({
      DATABRICKS_HOST: "https://x.cloud.databricks.com",
      LAKEBASE_CATALOG_NAME: "shop",
      LAKEBASE_INSTANCE_NAME: "",
      APP_ADMINS: " Ann@Example.com, bob@example.com ,",
    });
    expect(c.configured).toBe(true);
    expect(c.syncedTable).toBe("shop.public.orders_synced");
    expect(c.instanceName).toBe("orders-local");
    expect(c.admins).toEqual(["ann@example.com", "bob@example.com"]);
  });

  it("names every bad variable", () => {
    let message = "";
    try {
      loadLakebaseConfig({ LAKEBASE_INSTANCE_NAME: "Bad_Name", LAKEBASE_SOURCE_TABLE: "orders" });
    } catch (error) {
      expect(error).toBeInstanceOf(LakebaseConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain("LAKEBASE_INSTANCE_NAME");
    expect(message).toContain("LAKEBASE_SOURCE_TABLE");
  });

  it("refuses a synced table outside the catalog and a non-e-mail admin", () => {
    expect(() => loadLakebaseConfig({ LAKEBASE_SYNCED_TABLE: "other.public.t" })).toThrow(
      /must be in the catalog/,
    );
    expect(() => loadLakebaseConfig({ APP_ADMINS: "root" })).toThrow(/APP_ADMINS/);
  });

  it("names no admin inside Databricks Apps unless APP_ADMINS does", () => {
    const apps = {
      DATABRICKS_HOST: "https://example.cloud.databricks.com",
      DATABRICKS_APP_NAME: "lakebase-orders",
    };
    expect(loadLakebaseConfig(apps).admins).toEqual([]);
    expect(loadLakebaseConfig({ ...apps, APP_ADMINS: "" }).admins).toEqual([]);
    expect(loadLakebaseConfig({ ...apps, APP_ADMINS: "Ada@Example.com" }).admins).toEqual([
      "ada@example.com",
    ]);
    expect(loadLakebaseConfig({}).admins).toEqual(["local-admin@example.com"]);
  });
});
