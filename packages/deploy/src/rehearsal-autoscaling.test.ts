// The deploy rehearsal of the Autoscaling targets: dist/app-autoscaling installed and started as Databricks
// Apps would for the bundle's `postgres` app resource (PG* of the branch's read-write endpoint, no password,
// app.yaml's LAKEBASE_ENDPOINT filled in from that resource), against the local Lakebase in Autoscaling
// flavour seeded with the bundle's names; then SIGTERM.
import fs from "node:fs";
import path from "node:path";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { freePort } from "@lakebase-orders/pg-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AppManifest,
  installLikeApps,
  manifestEnv,
  type RunningApp,
  startLikeApps,
} from "./apps-runtime.ts";
import { autoscalingOutDir, buildApp } from "./build-app.ts";
import { isObject, type JsonObject, readBundle, resolveTarget, variableDefaults } from "./bundle.ts";

const SP = { clientId: "3b1d7c0e-5a2f-4e69-8c14-9d0b6e2f7a31", clientSecret: "autoscaling-local-secret" };

let workdir: string;
let manifest: AppManifest;
let lakebase: LakebaseLocal;
let app: RunningApp;
let appResource: { branch: string; database: string; permission: string };
let env: Record<string, string>;

async function getPostgres(name: string): Promise<{ status: number; body: JsonObject }> {
  const response = await fetch(`${lakebase.restUrl}/api/2.0/postgres/${name}`, {
    headers: { Authorization: `Bearer ${lakebase.workspaceToken}` },
  });
  return { status: response.status, body: (await response.json()) as JsonObject };
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(autoscalingOutDir, "app.yaml"))) await buildApp();
  ({ workdir, manifest } = await installLikeApps(autoscalingOutDir));

  const bundle = readBundle();
  const vars = variableDefaults(bundle);
  const resolved = resolveTarget(bundle, "dev-autoscaling");
  const apps = (resolved.resources as JsonObject).apps as JsonObject;
  const declared = ((apps.lakebase_orders as JsonObject).resources as JsonObject[]).find(
    (r) => r.name === "postgres",
  );
  if (!declared || !isObject(declared.postgres))
    throw new Error("dev-autoscaling: the app has no postgres resource");
  appResource = declared.postgres as typeof appResource;

  lakebase = await startLakebaseLocal({
    flavor: "autoscaling",
    postgres: { adminUrl: process.env.PG_LOCAL_ADMIN_URL! },
    servicePrincipals: [SP],
    timings: { instanceStartMs: 0, instanceDeleteMs: 0, pipelineStepMs: 0 },
    sourceRows: 3000,
    // The seed plays `databricks bundle deploy`: the project of the bundle's project_id with its catalog,
    // database and synced table under the bundle's names.
    seed: {
      instanceName: vars.project_id!,
      catalogName: vars.catalog_name!,
      databaseName: vars.database_name!,
      syncedTable: vars.synced_table!,
    },
  });
  const endpoint = await getPostgres(lakebase.endpointName!);
  const database = await getPostgres(appResource.database);
  const hosts = (endpoint.body.status as JsonObject).hosts as JsonObject;
  const port = await freePort();
  env = {
    PATH: process.env.PATH!,
    HOME: process.env.HOME!,
    ...manifestEnv(manifest, { postgres: lakebase.endpointName! }),
    DATABRICKS_APP_NAME: "lakebase-orders",
    DATABRICKS_APP_PORT: String(port),
    DATABRICKS_HOST: lakebase.restUrl,
    DATABRICKS_CLIENT_ID: SP.clientId,
    DATABRICKS_CLIENT_SECRET: SP.clientSecret,
    // The postgres resource's PG* set: the read-write endpoint's host, the resource's database.
    PGHOST: String(hosts.host),
    PGPORT: String(lakebase.endpointPort),
    PGDATABASE: String((database.body.status as JsonObject).postgres_database),
    PGUSER: SP.clientId,
    PGSSLMODE: "require",
    PGSSLROOTCERT: lakebase.caFile,
    PGAPPNAME: "lakebase-orders",
  };
  app = await startLikeApps(workdir, manifest, env, `http://127.0.0.1:${port}`);
}, 240_000);

afterAll(async () => {
  if (app && app.process.exitCode === null) app.process.kill("SIGKILL");
  await lakebase?.stop();
  if (workdir) fs.rmSync(workdir, { recursive: true, force: true });
});

describe("deploy rehearsal of dist/app-autoscaling (bundle target dev-autoscaling)", () => {
  it("the app resource's branch and database are what a deploy of those names creates", async () => {
    const branch = await getPostgres(appResource.branch);
    expect(branch.status).toBe(200);
    const database = await getPostgres(appResource.database);
    expect(database.status).toBe(200);
    expect(database.body.parent ?? appResource.database.split("/databases/")[0]).toBe(appResource.branch);
    expect(env.LAKEBASE_ENDPOINT).toBe(`${appResource.branch}/endpoints/primary`);
    expect(env.PGDATABASE).toBe(variableDefaults(readBundle()).database_name);
    expect(appResource.permission).toBe("CAN_CONNECT_AND_CREATE");
  });

  it("starts and is ready with the environment of a postgres resource and no password", () => {
    process.stderr.write(
      `deploy rehearsal (autoscaling): cold start to ready ${app.coldStartMs.toFixed(0)} ms\n`,
    );
    for (const name of Object.keys(env)) expect(name).not.toMatch(/PASSWORD|TOKEN/);
  });

  it("serves the SPA", async () => {
    const index = await fetch(`${app.url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toMatch(/\/assets\/[^"]+\.js/);
  });

  it("answers an order from the synced table, logged in with the endpoint's credentials", async () => {
    const input = encodeURIComponent(JSON.stringify({ orderKey: 1 }));
    const response = await fetch(`${app.url}/api/trpc/orders.byKey?input=${input}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { data: { orderKey: number; totalPrice: string } } };
    expect(body.result.data.orderKey).toBe(1);
    const routes = lakebase.counters().routes;
    // Autoscaling credentials (POST /postgres/credentials for the endpoint), not the instance's.
    expect(routes["POST /api/2.0/postgres/credentials"] ?? 0).toBeGreaterThan(0);
    expect(routes["POST /api/2.0/database/credentials"] ?? 0).toBe(0);
  });

  it("exits within 15 s of SIGTERM, without its secret in the logs", async () => {
    const exited = new Promise<number | null>((resolve) => app.process.once("exit", (code) => resolve(code)));
    const started = performance.now();
    app.process.kill("SIGTERM");
    const code = await exited;
    const ms = performance.now() - started;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(15_000);
    expect(app.output.join("")).not.toContain(SP.clientSecret);
  });
});
