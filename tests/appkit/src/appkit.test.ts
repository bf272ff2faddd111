// Databricks' own kit on the local Lakebase: the minimal AppKit app (app/server.ts: lakebase() + server(),
// @databricks/appkit from the npm registry, unchanged but for its @databricks/lakebase at 0.6.0, see
// pnpm-workspace.yaml) started as Databricks Apps would start it for a `postgres` resource, with nothing
// but that environment plus NODE_EXTRA_CA_CERTS for the local CA, answering a query from the synced table.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { freePort } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SP = { clientId: "6a0f4e2b-8c1d-4b7a-9e35-2d7c9f1a0b58", clientSecret: "appkit-local-secret" };
const here = path.resolve(import.meta.dirname, "..");

let lakebase: LakebaseLocal;
let app: ChildProcess;
let appUrl: string;
let readyMs: number;
const output: string[] = [];

beforeAll(async () => {
  lakebase = await startLakebaseLocal({
    flavor: "autoscaling",
    postgres: { adminUrl: process.env.PG_LOCAL_ADMIN_URL! },
    servicePrincipals: [SP],
    timings: { instanceStartMs: 0, instanceDeleteMs: 0, pipelineStepMs: 0 },
    sourceRows: 2000,
    seed: {
      instanceName: "appkit-orders",
      catalogName: "lakebase_orders",
      databaseName: "orders",
      syncedTable: "lakebase_orders.public.orders_synced",
    },
  });
  const endpoint = (await (
    await fetch(`${lakebase.restUrl}/api/2.0/postgres/${lakebase.endpointName}`, {
      headers: { Authorization: `Bearer ${lakebase.workspaceToken}` },
    })
  ).json()) as { status: { hosts: { host: string } } };
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // The template's start script sets it (`NODE_ENV=production node ...`); it makes AppKit strict.
    NODE_ENV: "production",
    DATABRICKS_HOST: lakebase.restUrl,
    DATABRICKS_CLIENT_ID: SP.clientId,
    DATABRICKS_CLIENT_SECRET: SP.clientSecret,
    DATABRICKS_APP_NAME: "appkit-orders",
    DATABRICKS_APP_PORT: String(port),
    PGHOST: endpoint.status.hosts.host,
    PGPORT: String(lakebase.endpointPort),
    PGDATABASE: "orders",
    PGUSER: SP.clientId,
    PGSSLMODE: "require",
    PGAPPNAME: "appkit-orders",
    LAKEBASE_ENDPOINT: lakebase.endpointName,
    // require verifies the server certificate: the local CA stands in for the public CAs Apps trusts.
    NODE_EXTRA_CA_CERTS: lakebase.caFile,
  };
  const started = performance.now();
  app = spawn(process.execPath, ["app/server.ts"], { cwd: here, env, stdio: ["ignore", "pipe", "pipe"] });
  app.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  app.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (app.exitCode !== null)
      throw new Error(`the AppKit app exited (${app.exitCode}):\n${output.join("")}`);
    const status = await fetch(`${appUrl}/api/orders/1`).then(
      (r) => r.status,
      () => 0,
    );
    if (status !== 0) break;
    if (Date.now() > deadline)
      throw new Error(`the AppKit app did not listen within 60 s:\n${output.join("")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  readyMs = performance.now() - started;
}, 180_000);

afterAll(async () => {
  if (app && app.exitCode === null) {
    const exited = new Promise((resolve) => app.once("exit", resolve));
    app.kill("SIGKILL");
    await exited;
  }
  await lakebase?.stop();
});

describe("AppKit (lakebase() + server()) on the local Lakebase", () => {
  it("answers a query from the synced table with the row the database holds", async () => {
    process.stderr.write(`appkit: listening ${readyMs.toFixed(0)} ms after spawn\n`);
    const response = await fetch(`${appUrl}/api/orders/1`);
    const body = await response.text();
    expect(response.status, `${body}\n${output.join("")}`).toBe(200);
    // o_orderkey is a bigint, which node-postgres hands over as a string.
    const order = JSON.parse(body) as { o_orderkey: string; o_totalprice: string };
    const url = new URL(lakebase.adminUrl);
    url.pathname = `/${lakebase.physicalDatabase("appkit-orders", "orders")}`;
    const direct = new pg.Client({ connectionString: url.toString() });
    await direct.connect();
    try {
      const { rows } = await direct.query<{ o_totalprice: string }>(
        "SELECT o_totalprice::text AS o_totalprice FROM public.orders_synced WHERE o_orderkey = 1",
      );
      expect(order).toEqual({ o_orderkey: "1", o_totalprice: rows[0]?.o_totalprice });
    } finally {
      await direct.end();
    }
    const missing = await fetch(`${appUrl}/api/orders/999999999`);
    expect(missing.status).toBe(404);
  });

  it("took its password from the endpoint's credentials and its workspace id from SCIM Me", () => {
    const routes = lakebase.counters().routes;
    expect(routes["POST /api/2.0/postgres/credentials"] ?? 0).toBeGreaterThan(0);
    expect(routes["POST /api/2.0/database/credentials"] ?? 0).toBe(0);
    expect(output.join("")).not.toMatch(/Workspace ID not found|Missing required resources/);
    expect(output.join("")).not.toContain(SP.clientSecret);
  });

  it("stops on SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) => app.once("exit", (code) => resolve(code)));
    app.kill("SIGTERM");
    const started = performance.now();
    const code = await exited;
    process.stderr.write(
      `appkit: exit ${code} ${(performance.now() - started).toFixed(0)} ms after SIGTERM\n`,
    );
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});
