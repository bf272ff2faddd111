// The seeded hostile-input suite (testing/hostile-inputs.ts) against an app bound to Lakebase Autoscaling,
// where the Autoscaling procedures reach their validation and the `postgres` API (the main suite,
// http/hostile-inputs.test.ts, runs a Provisioned app: there they stop at PRECONDITION_FAILED). Fewer
// requests than the main suite: the same generator, over the same procedures.
import {
  type HostileSummary,
  hostileRequests,
  runHostile,
  startTestServer,
  type TestServer,
} from "@lakebase-orders/api/testing";
import { loadConfig } from "@lakebase-orders/config";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { createTestDatabase, type TestDatabase, withClient } from "@lakebase-orders/pg-local";
import { createOrderIndexes, loadOrders } from "@lakebase-orders/tpch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SEED = Number(process.env.HOSTILE_SEED ?? 20261207);
// Lean for CI: the main suite covers the generator at length; these reach the Autoscaling paths.
const COUNT = 400;
const ADMIN = "admin@example.com";
const USER = "analyst@example.com";
const names = {
  instanceName: "hostile-as",
  catalogName: "hostile_as",
  databaseName: "orders",
  syncedTable: "hostile_as.public.orders_synced",
};

let lakebase: LakebaseLocal;
let database: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  lakebase = await startLakebaseLocal({
    flavor: "autoscaling",
    timings: { instanceStartMs: 0, instanceDeleteMs: 0, pipelineStepMs: 0 },
    sourceRows: 50,
    seed: names,
  });
  // The orders in a database of their own (see the main suite): fuzzed stops and deletes change what the
  // orders procedures answer, never take their database away.
  database = await createTestDatabase("api_hostile_as");
  await withClient(database.url, async (c) => {
    await loadOrders(c, { rows: 500, seed: 7 });
    await createOrderIndexes(c);
  });
  server = await startTestServer(
    loadConfig({
      DATABRICKS_APP_NAME: "lakebase-orders",
      LAKEBASE_ADMIN_AUTH: "service-principal",
      DATABRICKS_HOST: lakebase.restUrl,
      DATABRICKS_TOKEN: lakebase.workspaceToken,
      LAKEBASE_PG_URL: database.url,
      LAKEBASE_PROJECT_ID: names.instanceName,
      LAKEBASE_CATALOG_NAME: names.catalogName,
      LAKEBASE_DATABASE_NAME: names.databaseName,
      LAKEBASE_SYNCED_TABLE: names.syncedTable,
      APP_ADMINS: ADMIN,
      RATE_LIMIT_WRITES_PER_MINUTE: "0",
      RATE_LIMIT_READS_PER_MINUTE: "0",
      LOG_LEVEL: "warn",
    }),
    {
      logLevel: "warn",
      lakebase: { pollIntervalMs: 50, statusCacheMs: 20 },
      onProvisioned: async () => undefined,
    },
  );
  await server.services.readiness.whenReady();
}, 120_000);

afterAll(async () => {
  await server?.close();
  await database?.drop();
  await lakebase?.stop();
});

const requests = hostileRequests(SEED, COUNT, { instanceName: names.instanceName });

function report(s: HostileSummary): string {
  const show = (list: HostileSummary["serverErrors"]) =>
    list
      .slice(0, 5)
      .map(
        (o) =>
          `#${requests.indexOf(o.request)} ${o.status} ${o.request.method} ${o.request.path.slice(0, 100)} ${o.error ?? ""}`,
      )
      .join("\n");
  return [
    `seed ${SEED}: ${s.sent} requests, statuses ${JSON.stringify(s.byStatus)}`,
    s.serverErrors.length ? `>= 500:\n${show(s.serverErrors)}` : "",
    s.hangs.length ? `hangs:\n${show(s.hangs)}` : "",
    s.adminSuccesses.length ? `admin successes:\n${show(s.adminSuccesses)}` : "",
  ]
    .filter(Boolean)
    .join("\n");
}

/** `postgres` API calls that change something (credentials are the app's own reads). */
function mutatingCalls(): number {
  return Object.entries(lakebase.counters().routes)
    .filter(
      ([route]) =>
        /^(POST|PATCH|PUT|DELETE) \/api\/2\.0\/postgres\//.test(route) && !route.includes("credentials"),
    )
    .reduce((n, [, count]) => n + count, 0);
}

describe(`${COUNT} seeded hostile requests at an Autoscaling app`, () => {
  it("reach every Autoscaling procedure", () => {
    const named = new Set(requests.flatMap((r) => r.procedures));
    for (const p of [
      "lakebase.branches.list",
      "lakebase.branches.create",
      "lakebase.branches.delete",
      "lakebase.endpoints.list",
      "lakebase.endpoints.create",
      "lakebase.endpoints.update",
      "lakebase.endpoints.delete",
      "lakebase.data.attach",
    ]) {
      expect(named, p).toContain(p);
    }
  });

  it("as a signed-in non-admin: no answer >= 500, none hangs, nothing reaches Databricks", async () => {
    const before = mutatingCalls();
    const summary = await runHostile(server.url, requests, { identity: { "X-Forwarded-Email": USER } });
    expect(summary.sent).toBe(COUNT);
    expect(summary.serverErrors, report(summary)).toEqual([]);
    expect(summary.hangs, report(summary)).toEqual([]);
    expect(summary.dropped, report(summary)).toEqual([]);
    expect(summary.adminSuccesses, report(summary)).toEqual([]);
    expect(mutatingCalls()).toBe(before);
  }, 600_000);

  it("as an admin: no answer >= 500, none hangs; valid actions ran", async () => {
    const summary = await runHostile(server.url, requests, { identity: { "X-Forwarded-Email": ADMIN } });
    process.stderr.write(`hostile autoscaling (admin) ${report(summary)}\n`);
    expect(summary.serverErrors, report(summary)).toEqual([]);
    expect(summary.hangs, report(summary)).toEqual([]);
    expect(summary.dropped, report(summary)).toEqual([]);
    expect(summary.adminSuccesses.length).toBeGreaterThan(0);
    await server.services.lakebase.idle();
  }, 600_000);

  it("logged no unhandled error", () => {
    const errors = server.logs.filter((l) => l.includes('"level":"error"'));
    expect(errors.slice(0, 3).map((l) => l.slice(0, 600))).toEqual([]);
  });
});
