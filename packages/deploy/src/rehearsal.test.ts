// A deploy rehearsal: do with dist/app what the Databricks Apps runtime does (copy the folder somewhere
// empty, `npm install`, run app.yaml's command with the Apps environment and no password), against the
// local Lakebase with an OAuth service principal, then stop it with SIGTERM as the runtime would.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { type OtlpReceiver, startOtlpReceiver } from "@lakebase-orders/api/testing";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { freePort } from "@lakebase-orders/pg-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installLikeApps, manifestEnv, startLikeApps } from "./apps-runtime.ts";
import { buildApp, outDir } from "./build-app.ts";

const SP = { clientId: "8f6c1a52-0d1e-4c3b-9a57-5b1f3a0e2d44", clientSecret: "dose-local-secret" };

let workdir: string;
let lakebase: LakebaseLocal;
let collector: OtlpReceiver;
let app: ChildProcess;
let appUrl: string;
let coldStartMs: number;
let output: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(path.join(outDir, "server.mjs"))) await buildApp();
  const installed = await installLikeApps(outDir);
  workdir = installed.workdir;
  const manifest = installed.manifest;
  const names = manifestEnv(manifest, {});
  // dist/app is the Provisioned targets' folder: the seed is a database instance, as those targets deploy.
  lakebase = await startLakebaseLocal({
    flavor: "provisioned",
    postgres: { adminUrl: process.env.PG_LOCAL_ADMIN_URL! },
    servicePrincipals: [SP],
    timings: { instanceStartMs: 0, instanceDeleteMs: 0, pipelineStepMs: 0 },
    sourceRows: 3000,
    seed: {
      instanceName: names.LAKEBASE_INSTANCE_NAME!,
      catalogName: names.LAKEBASE_CATALOG_NAME!,
      databaseName: names.LAKEBASE_DATABASE_NAME!,
      syncedTable: names.LAKEBASE_SYNCED_TABLE!,
    },
  });

  // App telemetry on, as Databricks Apps sets it: OTLP over gRPC to a collector on localhost.
  collector = await startOtlpReceiver();
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  // Only what the Apps runtime provides: no workspace variables leak in from this test process.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...names,
    DATABRICKS_APP_NAME: "lakebase-orders",
    DATABRICKS_APP_PORT: String(port),
    DATABRICKS_HOST: lakebase.restUrl,
    DATABRICKS_CLIENT_ID: SP.clientId,
    DATABRICKS_CLIENT_SECRET: SP.clientSecret,
    PGHOST: "127.0.0.1",
    PGPORT: String(lakebase.pgPort),
    PGDATABASE: names.LAKEBASE_DATABASE_NAME,
    PGUSER: SP.clientId,
    PGSSLMODE: "require",
    // require verifies the certificate; the local Lakebase's CA stands in for the public CAs Apps trusts.
    PGSSLROOTCERT: lakebase.caFile,
    PGAPPNAME: "lakebase-orders",
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.grpcUrl,
    OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
    OTEL_SERVICE_NAME: "lakebase-orders",
    OTEL_RESOURCE_ATTRIBUTES: "workspace.id=1234567890,app.name=lakebase-orders",
    // Every statement its span (the default is a tenth of the traces), so the one byKey call below has one.
    TELEMETRY_SQL_SPAN_RATIO: "1",
  };
  const running = await startLikeApps(workdir, manifest, env, appUrl);
  app = running.process;
  output = running.output;
  coldStartMs = running.coldStartMs;
}, 240_000);

afterAll(async () => {
  if (app && app.exitCode === null) app.kill("SIGKILL");
  await lakebase?.stop();
  await collector?.close();
  if (workdir) fs.rmSync(workdir, { recursive: true, force: true });
});

describe("deploy rehearsal of dist/app", () => {
  it("installed with plain npm: only pinned runtime dependencies, no workspace links, files under 10 MB", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(workdir, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    for (const version of Object.values(pkg.dependencies)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.scripts.build).toBeUndefined();
    expect(fs.existsSync(path.join(workdir, "package-lock.json"))).toBe(true);
    expect(fs.readdirSync(path.join(workdir, "node_modules/.bin")).includes("prisma")).toBe(false);
  });

  it("starts and is ready, with the Apps environment and no password", () => {
    process.stderr.write(`deploy rehearsal: cold start to ready ${coldStartMs.toFixed(0)} ms\n`);
    expect(coldStartMs).toBeGreaterThan(0);
  });

  it("serves the SPA with the right cache headers and a client-route fallback", async () => {
    const index = await fetch(`${appUrl}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const html = await index.text();
    const asset = html.match(/\/assets\/[^"]+\.js/)?.[0];
    expect(asset).toBeDefined();
    const js = await fetch(`${appUrl}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get("cache-control")).toContain("immutable");
    // /admin has its own prerendered page; any other client route falls back to the orders shell.
    const admin = await fetch(`${appUrl}/admin`);
    expect(admin.status).toBe(200);
    expect(await admin.text()).toContain("Lakebase resources");
    const deep = await fetch(`${appUrl}/some/client/route`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
  });

  it("answers an order through /api/trpc over the token-injected pool", async () => {
    const input = encodeURIComponent(JSON.stringify({ orderKey: 1 }));
    const response = await fetch(`${appUrl}/api/trpc/orders.byKey?input=${input}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { data: { orderKey: number; totalPrice: string } } };
    expect(body.result.data.orderKey).toBe(1);
    expect(body.result.data.totalPrice).toMatch(/^\d+\.\d{2}$/);
    // The app logged in as the service principal, with an OAuth token as password: the instance's.
    expect(lakebase.counters().tokensIssued).toBeGreaterThan(0);
    expect(lakebase.counters().routes["POST /api/2.0/database/credentials"] ?? 0).toBeGreaterThan(0);
  });

  it("serves the REST API and its interactive docs from the installed packages", async () => {
    const order = await fetch(`${appUrl}/api/v1/orders/1`);
    expect(order.status).toBe(200);
    expect(((await order.json()) as { o_orderkey: number }).o_orderkey).toBe(1);
    expect((await fetch(`${appUrl}/api/openapi.json`)).status).toBe(200);
    const ui = await fetch(`${appUrl}/api/docs/swagger-ui-bundle.js`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get("content-type")).toMatch(/javascript/);
  });

  it("trusts only the proxy's identity: a request without it is anonymous and may not administer", async () => {
    const status = await fetch(`${appUrl}/api/trpc/lakebase.status`);
    expect(status.status).toBe(200);
    const body = (await status.json()) as {
      result: { data: { viewer: { email: string | null; isAdmin: boolean } } };
    };
    expect(body.result.data.viewer).toMatchObject({ email: null, isAdmin: false });
    const stop = await fetch(`${appUrl}/api/trpc/lakebase.stop`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    expect(stop.status).toBe(403);
    const asUser = await fetch(`${appUrl}/api/trpc/lakebase.status`, {
      headers: { "X-Forwarded-Email": "ada@example.com" },
    });
    const viewer = ((await asUser.json()) as typeof body).result.data.viewer;
    expect(viewer).toMatchObject({ email: "ada@example.com", isAdmin: false });
  });

  it("exits within 15 s of SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) => app.once("exit", (code) => resolve(code)));
    const started = performance.now();
    app.kill("SIGTERM");
    const code = await exited;
    const ms = performance.now() - started;
    process.stderr.write(`deploy rehearsal: exit ${code} ${ms.toFixed(0)} ms after SIGTERM\n`);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(15_000);
    expect(output.join("")).not.toContain(SP.clientSecret);
  });

  it("exported its traces and metrics over gRPC, as the platform's collector receives them (flushed at exit)", async () => {
    await collector
      .waitFor(() => collector.metrics.length > 0 && collector.spans.length > 0, 5000)
      .catch((error: Error) => {
        // The app's own telemetry warnings say why (an exporter that could not load, a refused export).
        const said = output
          .join("")
          .split("\n")
          .filter((l) => l.includes('"msg":"telemetry'));
        throw new Error(`${error.message}\n${said.join("\n")}`);
      });
    // The tRPC call's chain: the request carried one procedure, so its span is the procedure's (named after
    // it, under the tRPC route), the SQL its children (a REST call of the same procedure has its own route).
    const request = collector.spans.find(
      (s) => s.name === "trpc orders.byKey" && s.attributes["http.route"] === "/api/trpc/*",
    );
    const sql = collector.spans.filter((s) => s.parentSpanId === request?.spanId);
    expect(request?.attributes["rpc.method"]).toBe("orders.byKey");
    expect(sql.map((s) => s.attributes["db.system.name"])).toContain("postgresql");
    expect(request?.resource).toMatchObject({
      "service.name": "lakebase-orders",
      "workspace.id": "1234567890",
    });
    expect(collector.metrics.map((m) => m.name)).toEqual(
      expect.arrayContaining([
        "rpc.server.call.duration",
        "db.client.connection.count",
        "lakebase.token.age",
      ]),
    );
    // The request's log line on stdout names the same trace.
    const line = output
      .join("")
      .split("\n")
      .find((l) => l.includes('"msg":"request"') && l.includes("orders.byKey"));
    expect(line).toContain(`"trace_id":"${request?.traceId}"`);
  });
});
