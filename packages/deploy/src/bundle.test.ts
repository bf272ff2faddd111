import { describe, expect, it } from "vitest";
import { parse } from "yaml";
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

  it("has a development and a production target per flavour, dev (Provisioned) still the default", () => {
    expect(targets.sort()).toEqual(["dev", "dev-autoscaling", "prod", "prod-autoscaling"]);
    expect(section(bundle, "targets", "dev")).toMatchObject({ mode: "development", default: true });
    expect(section(bundle, "targets", "dev-autoscaling")).toMatchObject({ mode: "development" });
    expect(section(bundle, "targets", "dev-autoscaling").default).toBeUndefined();
    for (const name of ["prod", "prod-autoscaling"]) {
      const prod = section(bundle, "targets", name);
      expect(prod.mode).toBe("production");
      expect(section(prod, "workspace").host).toMatch(/^https:\/\//);
      expect(Array.isArray(prod.permissions) && prod.permissions.length).toBeTruthy();
    }
  });

  it("deploys the Lakebase resources of one flavour only, whatever the target", () => {
    const provisioned = ["database_catalogs", "database_instances", "synced_database_tables"];
    const autoscaling = [
      "postgres_branches",
      "postgres_catalogs",
      "postgres_databases",
      "postgres_endpoints",
      "postgres_projects",
      "postgres_roles",
      "postgres_synced_tables",
    ];
    expect(Object.keys(section(bundle, "resources"))).toEqual(["apps"]);
    for (const [target, kinds] of Object.entries({
      dev: provisioned,
      prod: provisioned,
      "dev-autoscaling": autoscaling,
      "prod-autoscaling": autoscaling,
    })) {
      const resources = section(resolveTarget(bundle, target), "resources");
      expect(Object.keys(resources).sort(), target).toEqual([...kinds, "apps"].sort());
      const app = section(resources, "apps", "lakebase_orders");
      expect((app.resources as JsonObject[]).length, target).toBe(1);
    }
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
    describe(`Provisioned target ${target}, variables and cross-references resolved`, () => {
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

  for (const target of ["dev-autoscaling", "prod-autoscaling"]) {
    describe(`Autoscaling target ${target}, variables and cross-references resolved`, () => {
      const resolved = resolveTarget(bundle, target);
      const resources = section(resolved, "resources");
      const defaults = variableDefaults(bundle);

      it("still validates against the schema", () => {
        expect(validate(resolved)).toEqual([]);
      });

      it("chains project, branch, endpoints, database, catalog and synced table by their names", () => {
        const project = section(resources, "postgres_projects", "orders_project");
        const branch = section(resources, "postgres_branches", "production");
        const primary = section(resources, "postgres_endpoints", "primary");
        const owner = section(resources, "postgres_roles", "orders_owner");
        const database = section(resources, "postgres_databases", "orders");
        const catalog = section(resources, "postgres_catalogs", "orders_catalog");
        const synced = section(resources, "postgres_synced_tables", "orders_synced");
        const projectName = `projects/${defaults.project_id}`;
        const branchName = `${projectName}/branches/production`;
        expect(project).toMatchObject({ project_id: defaults.project_id, pg_version: 17 });
        // The project's own root branch and its read-write endpoint, adopted rather than created beside them.
        expect(branch).toMatchObject({
          parent: projectName,
          branch_id: "production",
          replace_existing: true,
        });
        expect(branch.no_expiry).toBe(true);
        expect(primary).toMatchObject({
          parent: branchName,
          endpoint_id: "primary",
          endpoint_type: "ENDPOINT_TYPE_READ_WRITE",
          replace_existing: true,
          autoscaling_limit_min_cu: 0.5,
        });
        expect(
          Number(primary.autoscaling_limit_max_cu) - Number(primary.autoscaling_limit_min_cu),
        ).toBeLessThanOrEqual(16);
        expect(owner).toMatchObject({ parent: branchName, auth_method: "NO_LOGIN" });
        expect(database).toMatchObject({
          parent: branchName,
          database_id: defaults.database_name,
          postgres_database: defaults.database_name,
          role: `${branchName}/roles/${String(owner.role_id)}`,
        });
        expect(String(database.database_id)).toMatch(/^[a-z][a-z0-9-]{3,62}$/);
        expect(catalog).toEqual({
          catalog_id: defaults.catalog_name,
          branch: branchName,
          postgres_database: defaults.database_name,
        });
        expect(synced).toMatchObject({
          synced_table_id: defaults.synced_table,
          branch: branchName,
          postgres_database: defaults.database_name,
          source_table_full_name: defaults.source_table,
          primary_key_columns: ["o_orderkey"],
        });
        expect(String(synced.synced_table_id).split(".")[0]).toBe(catalog.catalog_id);
      });

      it("binds the app to that branch and database through a postgres resource Apps names `postgres`", () => {
        const app = section(resources, "apps", "lakebase_orders");
        const branchName = `projects/${defaults.project_id}/branches/production`;
        expect(app.resources).toEqual([
          {
            name: "postgres",
            description: expect.any(String),
            postgres: {
              branch: branchName,
              database: `${branchName}/databases/${defaults.database_name}`,
              permission: "CAN_CONNECT_AND_CREATE",
            },
          },
        ]);
        expect(app.source_code_path).toBe("./dist/app-autoscaling");
        expect(resolved.sync).toEqual({
          include: ["dist/app-autoscaling/**"],
          exclude: ["dist/app-autoscaling/node_modules/**"],
        });
      });
    });
  }

  it("app_branch moves the app's postgres resource onto another branch of the project (pnpm branch-app)", () => {
    const moved = structuredClone(bundle);
    section(moved, "variables", "app_branch").default = "change-1";
    const app = section(resolveTarget(moved, "dev-autoscaling"), "resources", "apps", "lakebase_orders");
    const branch = `projects/${variableDefaults(bundle).project_id}/branches/change-1`;
    expect((app.resources as JsonObject[])[0]?.postgres).toEqual({
      branch,
      database: `${branch}/databases/${variableDefaults(bundle).database_name}`,
      permission: "CAN_CONNECT_AND_CREATE",
    });
    expect(variableDefaults(bundle).app_branch).toBe("production");
  });

  it("production reads go to a read-only endpoint of the same branch; development has none", () => {
    const endpoints = (target: string) =>
      section(resolveTarget(bundle, target), "resources", "postgres_endpoints");
    expect(Object.keys(endpoints("dev-autoscaling"))).toEqual(["primary"]);
    const prod = endpoints("prod-autoscaling");
    expect(Object.keys(prod).sort()).toEqual(["primary", "read"]);
    expect(prod.read).toMatchObject({
      parent: (prod.primary as JsonObject).parent,
      endpoint_type: "ENDPOINT_TYPE_READ_ONLY",
    });
  });

  it("the Autoscaling app.yaml takes LAKEBASE_ENDPOINT from the `postgres` resource, the Provisioned one names the instance", () => {
    const autoscaling = parse(appYaml("autoscaling")) as { env: Record<string, string>[] };
    const provisioned = parse(appYaml()) as { env: Record<string, string>[] };
    expect(autoscaling.env).toContainEqual({ name: "LAKEBASE_ENDPOINT", valueFrom: "postgres" });
    expect(provisioned.env.map((e) => e.name)).not.toContain("LAKEBASE_ENDPOINT");
    // The same names otherwise, but the binding: the endpoint in place of the instance.
    const names = (doc: typeof provisioned) =>
      doc.env.map((e) => e.name).filter((n) => n !== "LAKEBASE_ENDPOINT" && n !== "LAKEBASE_INSTANCE_NAME");
    expect(names(autoscaling)).toEqual(names(provisioned));
    expect(autoscaling.env.map((e) => e.name)).not.toContain("LAKEBASE_INSTANCE_NAME");
  });

  it("the schema check rejects an Autoscaling app resource with a Provisioned permission", () => {
    const broken = structuredClone(bundle);
    section(broken, "targets", "dev-autoscaling", "resources", "apps", "lakebase_orders").resources = [
      { name: "postgres", postgres: { branch: "b", database: "d", permission: "CAN_READ" } },
    ];
    expect(validate(broken).length).toBeGreaterThan(0);
  });

  it("asks for the user's token (user_api_scopes) and acts as the user by default", () => {
    for (const target of targets) {
      const app = section(resolveTarget(bundle, target), "resources", "apps", "lakebase_orders");
      expect(app.user_api_scopes).toEqual(["postgres"]);
    }
    expect(variableDefaults(bundle).admin_auth).toBe("user");
    expect(appYaml()).toMatch(/name: LAKEBASE_ADMIN_AUTH\n\s+value: user\n/);
  });

  it("exports the app's telemetry to three Unity Catalog tables of one schema", () => {
    for (const target of targets) {
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
    section(
      broken,
      "targets",
      "dev",
      "resources",
      "database_catalogs",
      "orders_catalog",
    ).database_instance_name = "${resources.database_instances.nope.name}";
    expect(() => resolveTarget(broken, "dev")).toThrow(/does not resolve/);
    const autoscaling = structuredClone(bundle);
    section(
      autoscaling,
      "targets",
      "dev-autoscaling",
      "resources",
      "postgres_catalogs",
      "orders_catalog",
    ).branch = "${resources.postgres_branches.nope.id}";
    expect(() => resolveTarget(autoscaling, "dev-autoscaling")).toThrow(/does not resolve/);
  });

  it("the schema check really rejects a wrong bundle", () => {
    const broken = structuredClone(bundle);
    section(broken, "targets", "dev", "resources", "apps", "lakebase_orders").resources = [
      { name: "database", database: { instance_name: "x", database_name: "y", permission: "CAN_READ" } },
    ];
    expect(validate(broken).length).toBeGreaterThan(0);
  });
});
