// `pnpm build` (last step): assembles dist/app/, the folder Databricks Apps installs and runs on its own:
//   server.mjs      the API bundled with esbuild (bundle-api.ts: workspace packages, Hono, tRPC, zod inlined)
//   chunks/         what the server imports only on demand (the OpenTelemetry SDK and each OTLP exporter),
//                   so that with telemetry off none of it is even loaded
//   public/         the built SPA
//   migrations/     app_data SQL migrations, applied at start-up
//   package.json    only the runtime dependencies that must stay packages (RUNTIME_PACKAGES, bundle-api.ts
//                   says why for each)
//   package-lock.json, .npmrc, app.yaml
// then copies it to dist/app-autoscaling/ with the Autoscaling app.yaml (the bundle's *-autoscaling targets
// deploy that folder): the two differ only in how app.yaml binds the app to Lakebase.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { stringify } from "yaml";
import { readBundle, repoRoot, variableDefaults } from "./bundle.ts";
import { bundleApi, RUNTIME_PACKAGES } from "./bundle-api.ts";

export const outDir = path.join(repoRoot, "dist/app");
export const autoscalingOutDir = path.join(repoRoot, "dist/app-autoscaling");
export type Flavor = "provisioned" | "autoscaling";
const MAX_FILE_BYTES = 10 * 1024 * 1024;

export async function buildApp(options: { lockfile?: boolean } = {}): Promise<void> {
  const webDist = path.join(repoRoot, "apps/web/dist");
  if (!fs.existsSync(path.join(webDist, "index.html"))) {
    throw new Error("apps/web/dist is missing: build the SPA first (pnpm build runs it before this step)");
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.rmSync(autoscalingOutDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });

  await bundleApi({ outDir });

  fs.cpSync(webDist, path.join(outDir, "public"), { recursive: true });
  fs.cpSync(path.join(repoRoot, "packages/db/prisma/migrations"), path.join(outDir, "migrations"), {
    recursive: true,
  });

  const dependencies = Object.fromEntries(RUNTIME_PACKAGES.map((name) => [name, installedVersion(name)]));
  const pkg = {
    name: "lakebase-orders-app",
    private: true,
    type: "module",
    engines: { node: ">=22" },
    // No "build" script on purpose: the Apps runtime would run it after installing.
    scripts: { start: "node server.mjs" },
    dependencies,
    // swagger-ui-dist depends on @scarf/scarf, whose install script reports the install to scarf.sh.
    scarfSettings: { enabled: false },
  };
  write("package.json", `${JSON.stringify(pkg, null, 2)}\n`);
  // @prisma/client declares `prisma` and `typescript` as peers; npm would install them (and prisma's
  // engines would try to download). The runtime needs neither.
  write(".npmrc", "legacy-peer-deps=true\nfund=false\naudit=false\n");
  write("app.yaml", appYaml());

  if (options.lockfile !== false) {
    execFileSync("npm", ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: outDir,
      env: plainNpmEnv(),
      stdio: ["ignore", "ignore", "inherit"],
      // npm waits a long time on an unreachable registry; fail the build with a reason instead.
      timeout: 180_000,
    });
  }
  checkSizes(outDir);
  fs.cpSync(outDir, autoscalingOutDir, { recursive: true });
  fs.writeFileSync(path.join(autoscalingOutDir, "app.yaml"), appYaml("autoscaling"));
}

/** One app.yaml `env` entry: a literal, or a value Databricks Apps fills in from an app resource. */
export type AppEnv = { name: string; value: string } | { name: string; valueFrom: string };

/**
 * app.yaml: the command, the Lakebase names from databricks.yml's variable defaults, and the binding.
 * Provisioned: the instance by name (Apps injects PG* for the `database` resource). Autoscaling: the
 * endpoint's full name from the `postgres` resource (`valueFrom`, the only way Apps hands it over), which
 * makes the app's target Autoscaling (the endpoint's host and credentials, its project for the admin).
 */
export function appYaml(flavor: Flavor = "provisioned"): string {
  const vars = variableDefaults(readBundle());
  const binding: AppEnv[] =
    flavor === "autoscaling"
      ? [{ name: "LAKEBASE_ENDPOINT", valueFrom: "postgres" }]
      : [{ name: "LAKEBASE_INSTANCE_NAME", value: vars.instance_name ?? "" }];
  const env: AppEnv[] = [
    { name: "NODE_ENV", value: "production" },
    ...binding,
    { name: "LAKEBASE_CATALOG_NAME", value: vars.catalog_name ?? "" },
    { name: "LAKEBASE_DATABASE_NAME", value: vars.database_name ?? "" },
    { name: "LAKEBASE_SYNCED_TABLE", value: vars.synced_table ?? "" },
    { name: "LAKEBASE_SOURCE_TABLE", value: vars.source_table ?? "" },
    { name: "SYNCED_TABLE_STORAGE_CATALOG", value: vars.storage_catalog ?? "" },
    { name: "SYNCED_TABLE_STORAGE_SCHEMA", value: vars.storage_schema ?? "" },
    { name: "APP_ADMINS", value: vars.admins ?? "" },
    { name: "LAKEBASE_ADMIN_AUTH", value: vars.admin_auth ?? "" },
  ];
  return `# Written by pnpm build from databricks.yml's variable defaults; edit those, not this file.\n${stringify(
    {
      command: ["node", "server.mjs"],
      env,
    },
  )}`;
}

/** The environment without pnpm's npm_config_* settings, which npm would warn about or obey. */
export function plainNpmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}

function installedVersion(name: string): string {
  // Resolve from the API package, where these are real dependencies.
  const require = createRequire(path.join(repoRoot, "apps/api/package.json"));
  let dir = path.dirname(require.resolve(name));
  while (!fs.existsSync(path.join(dir, "package.json")) || readName(dir) !== name) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the installed version of ${name}`);
    dir = parent;
  }
  return (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string }).version;
}

function readName(dir: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

function write(file: string, text: string): void {
  fs.writeFileSync(path.join(outDir, file), text);
}

/** Databricks Apps refuses files above 10 MB. */
export function checkSizes(dir: string): void {
  const tooBig: string[] = [];
  let total = 0;
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(full);
      } else {
        const size = fs.statSync(full).size;
        total += size;
        if (size > MAX_FILE_BYTES) tooBig.push(`${path.relative(dir, full)} (${(size / 1e6).toFixed(1)} MB)`);
      }
    }
  };
  walk(dir);
  if (tooBig.length) throw new Error(`files above 10 MB cannot be deployed: ${tooBig.join(", ")}`);
  process.stderr.write(`dist/app: ${(total / 1e6).toFixed(2)} MB, largest file under 10 MB\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  buildApp().catch((error: unknown) => {
    process.stderr.write(`build-app: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
