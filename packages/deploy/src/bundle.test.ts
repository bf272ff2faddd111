import { describe, expect, it } from "vitest";
import { appYaml } from "./build-app.ts";
import { isObject, type JsonObject, readBundle, resolveTarget, variableDefaults } from "./bundle.ts";
import { bundleValidator } from "./bundle-schema.ts";

const bundle = readBundle();
const validate = bundleValidator();
const targets = Object.keys(bundle.targets as JsonObject);

function section(doc: JsonObject, ...keys: string[]): JsonObject {
  let node: unknown = doc;
  for (const key of keys) node = isObject(node) ? node[key] : undefined;
  if (!isObject(node)) throw new Error(`missing ${keys.join(".")}`);
  return node;
}

describe("databricks.yml", () => {
  it("validates against the official bundle schema as written", () => {
    expect(validate(bundle)).toEqual([]);
  });

  it("has the dev (default, development) and prod (production, explicit host, permissions) targets", () => {
    expect(targets.sort()).toEqual(["dev", "prod"]);
    const dev = section(bundle, "targets", "dev");
    expect(dev).toMatchObject({ mode: "development", default: true });
    const prod = section(bundle, "targets", "prod");
    expect(prod.mode).toBe("production");
    expect(section(prod, "workspace").host).toMatch(/^https:\/\//);
    expect(Array.isArray(prod.permissions) && prod.permissions.length).toBeTruthy();
  });

  it("has a default for every name the app needs", () => {
    const defaults = variableDefaults(bundle);
    for (const name of [
      "instance_name",
      "catalog_name",
      "database_name",
      "synced_table",
      "source_table",
      "storage_catalog",
      "storage_schema",
      "admins",
      "admin_auth",
    ]) {
      expect(defaults, name).toHaveProperty(name);
    }
    expect(defaults.synced_table!.split(".")).toHaveLength(3);
    expect(defaults.synced_table!.startsWith(`${defaults.catalog_name}.`)).toBe(true);
  });

  for (const target of ["dev", "prod"]) {
    describe(`target ${target}, variables and cross-references resolved`, () => {
      const resolved = resolveTarget(bundle, target);

      it("still validates against the schema", () => {
        expect(validate(resolved)).toEqual([]);
      });

      it("binds the app to the instance and database that the bundle creates", () => {
        const instance = section(resolved, "resources", "database_instances", "orders_instance");
        const catalog = section(resolved, "resources", "database_catalogs", "orders_catalog");
        const synced = section(resolved, "resources", "synced_database_tables", "orders_synced");
        const app = section(resolved, "resources", "apps", "lakebase_orders");
        expect(catalog.database_instance_name).toBe(instance.name);
        expect(synced.database_instance_name).toBe(instance.name);
        expect(synced.logical_database_name).toBe(catalog.database_name);
        expect(String(synced.name).split(".")[0]).toBe(catalog.name);
        const resources = app.resources as JsonObject[];
        const database = resources.map((r) => r.database).find(isObject);
        expect(database).toEqual({
          instance_name: instance.name,
          database_name: catalog.database_name,
          permission: "CAN_CONNECT_AND_CREATE",
        });
        expect(app.name).toMatch(/^[a-z0-9-]+$/);
        expect(app.source_code_path).toBe("./dist/app");
        expect(resolved.sync).toEqual({ include: ["dist/app/**"], exclude: ["dist/app/node_modules/**"] });
      });
    });
  }

  it("asks for the user's token (user_api_scopes) and acts as the user by default", () => {
    for (const target of ["dev", "prod"]) {
      const app = section(resolveTarget(bundle, target), "resources", "apps", "lakebase_orders");
      expect(app.user_api_scopes).toEqual(["postgres"]);
    }
    expect(variableDefaults(bundle).admin_auth).toBe("user");
    expect(appYaml()).toMatch(/name: LAKEBASE_ADMIN_AUTH\n\s+value: user\n/);
  });

  it("exports the app's telemetry to three Unity Catalog tables of one schema", () => {
    for (const target of ["dev", "prod"]) {
      const app = section(resolveTarget(bundle, target), "resources", "apps", "lakebase_orders");
      const destinations = app.telemetry_export_destinations as JsonObject[];
      expect(destinations).toHaveLength(1);
      const tables = section(destinations[0]!, "unity_catalog");
      const names = [tables.traces_table, tables.metrics_table, tables.logs_table].map(String);
      for (const name of names) expect(name).toMatch(/^[A-Za-z_][\w]*\.[A-Za-z_][\w]*\.[A-Za-z_][\w]*$/);
      expect(new Set(names.map((n) => n.split(".").slice(0, 2).join(".")))).toEqual(
        new Set(["main.default"]),
      );
      expect(new Set(names).size).toBe(3);
    }
    const broken = structuredClone(bundle);
    section(broken, "resources", "apps", "lakebase_orders").telemetry_export_destinations = [
      { unity_catalog: { traces_table: "main.default.spans" } },
    ];
    expect(validate(broken).length).toBeGreaterThan(0);
  });

  it("refuses a reference that does not resolve", () => {
    const broken = structuredClone(bundle);
    section(broken, "resources", "database_catalogs", "orders_catalog").database_instance_name =
      "${resources.database_instances.nope.name}";
    expect(() => resolveTarget(broken, "dev")).toThrow(/does not resolve/);
  });

  it("the schema check really rejects a wrong bundle", () => {
    const broken = structuredClone(bundle);
    section(broken, "resources", "apps", "lakebase_orders").resources = [
      { name: "database", database: { instance_name: "x", database_name: "y", permission: "CAN_READ" } },
    ];
    expect(validate(broken).length).toBeGreaterThan(0);
  });
});
