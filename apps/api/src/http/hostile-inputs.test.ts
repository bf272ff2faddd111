import {
  type HostileSummary,
  hostileRequests,
  PROCEDURES,
  runHostile,
  startTestServer,
  type TestServer,
} from "@lakebase-orders/api/testing";
import { loadConfig } from "@lakebase-orders/config";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { createTestDatabase, type TestDatabase, withClient } from "@lakebase-orders/pg-local";
import { createOrderIndexes, loadOrders } from "@lakebase-orders/tpch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../routers/app-router.ts";

// The seeded hostile-input suite: 10,000 generated requests over every procedure (and the REST routes that
// call them), sent once as a signed-in non-admin and once as an admin, to the server as Databricks Apps runs
// it. Whatever comes in, the answer is below 500 and arrives, and no admin mutation works for the non-admin.
// A failure names its seed and index: `hostileRequests(SEED, COUNT)[i]` replays it.
const SEED = Number(process.env.HOSTILE_SEED ?? 20261114);
const COUNT = 10_000;
const ADMIN = "admin@example.com";
const USER = "analyst@example.com";
const names = {
  instanceName: "hostile",
  catalogName: "hostile_catalog",
  databaseName: "orders",
  syncedTable: "hostile_catalog.public.orders_synced",
};

let lakebase: LakebaseLocal;
let database: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  lakebase = await startLakebaseLocal({
    ...(process.env.PG_LOCAL_ADMIN_URL ? { postgres: { adminUrl: process.env.PG_LOCAL_ADMIN_URL } } : {}),
    timings: { instanceStartMs: 0, instanceDeleteMs: 0, pipelineStepMs: 0 },
    sourceRows: 50,
    seed: names,
  });
  // The orders live in a database of their own, so that the admin's fuzzed stops and deletes of the Lakebase
  // resources change what the orders procedures answer (412) but never take their database away.
  database = await createTestDatabase("api_hostile");
  await withClient(database.url, async (c) => {
    await loadOrders(c, { rows: 3000, seed: 7 });
    await createOrderIndexes(c);
  });
  server = await startTestServer(
    loadConfig({
      DATABRICKS_APP_NAME: "lakebase-orders",
      // The admin's mutations as the app's service principal: on-behalf-of-user has tests of its own.
      LAKEBASE_ADMIN_AUTH: "service-principal",
      DATABRICKS_HOST: lakebase.restUrl,
      DATABRICKS_TOKEN: lakebase.workspaceToken,
      LAKEBASE_PG_URL: database.url,
      LAKEBASE_INSTANCE_NAME: names.instanceName,
      LAKEBASE_CATALOG_NAME: names.catalogName,
      LAKEBASE_DATABASE_NAME: names.databaseName,
      LAKEBASE_SYNCED_TABLE: names.syncedTable,
      APP_ADMINS: ADMIN,
      // Off, so that every input reaches validation (the limits have tests of their own).
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

/** One line per outcome: its index in the seeded list (to replay it), status, kind, method, path. */
function line(o: HostileSummary["serverErrors"][number]): string {
  const { kind, method, path } = o.request;
  return `#${requests.indexOf(o.request)} ${o.status} ${kind} ${method} ${path.slice(0, 100)} ${o.error ?? ""}`;
}

function report(s: HostileSummary): string {
  const show = (list: HostileSummary["serverErrors"]) => list.slice(0, 5).map(line).join("\n");
  return [
    `seed ${SEED}: ${s.sent} requests in ${(s.totalMs / 1000).toFixed(1)} s, slowest ${s.slowestMs.toFixed(0)} ms`,
    `statuses ${JSON.stringify(s.byStatus)}`,
    `ms by kind ${JSON.stringify(Object.fromEntries(Object.entries(s.byKind).map(([k, v]) => [k, Math.round(v.ms)])))}`,
    s.serverErrors.length ? `>= 500:\n${show(s.serverErrors)}` : "",
    s.hangs.length ? `hangs:\n${show(s.hangs)}` : "",
    s.dropped.length ? `dropped:\n${show(s.dropped)}` : "",
    s.adminSuccesses.length ? `admin successes:\n${show(s.adminSuccesses)}` : "",
  ]
    .filter(Boolean)
    .join("\n");
}

/** Databricks calls that change something (what an admin mutation does), so far. */
function mutatingCalls(): number {
  return Object.entries(lakebase.counters().routes)
    .filter(([route]) =>
      /^(POST|PATCH|PUT|DELETE) \/api\/2\.0\/database\/(instances|catalogs|synced_tables)/.test(route),
    )
    .reduce((n, [, count]) => n + count, 0);
}

describe(`${COUNT} seeded hostile requests over every procedure`, () => {
  it("cover every procedure and every kind of hostility", () => {
    const named = new Set(requests.flatMap((r) => r.procedures));
    for (const procedure of PROCEDURES) expect(named, procedure).toContain(procedure);
    // A procedure added to the router is in the suite too.
    expect(Object.keys(appRouter._def.procedures).sort()).toEqual([...PROCEDURES].sort());
    const kinds = new Set(requests.map((r) => r.kind));
    expect([...kinds].sort()).toEqual([
      "bad-json-body",
      "bad-json-query",
      "bad-path",
      "bad-path-post",
      "bad-query-escape",
      "batch-get",
      "batch-post",
      "content-type",
      "duplicate-params",
      "export",
      "headers",
      "huge-body",
      "huge-query",
      "mutation",
      "query",
      "rest",
      "wrong-method",
    ]);
  });

  it("as a signed-in non-admin: no answer >= 500, none hangs, no admin mutation succeeds", async () => {
    const before = mutatingCalls();
    const summary = await runHostile(server.url, requests, { identity: { "X-Forwarded-Email": USER } });
    process.stderr.write(`hostile (non-admin) ${report(summary)}\n`);
    expect(summary.sent).toBe(COUNT);
    expect(summary.serverErrors.map(line), report(summary)).toEqual([]);
    expect(summary.hangs.map(line), report(summary)).toEqual([]);
    expect(summary.dropped.map(line), report(summary)).toEqual([]);
    expect(summary.adminSuccesses.map(line), report(summary)).toEqual([]);
    // Nothing reached Databricks on the non-admin's behalf, and the audit holds only refusals, kept small.
    expect(mutatingCalls()).toBe(before);
    const rows = await withClient(
      database.url,
      async (c) =>
        (
          await c.query<{ outcome: string; n: number; biggest: number }>(
            `SELECT outcome, count(*)::int AS n, max(octet_length(input::text))::int AS biggest
             FROM app_data.admin_audit WHERE actor = $1 GROUP BY outcome`,
            [USER],
          )
        ).rows,
    );
    expect(rows.map((r) => r.outcome)).toEqual(["forbidden"]);
    expect(rows[0]?.n).toBeGreaterThan(100);
    expect(rows[0]?.biggest ?? 0).toBeLessThan(1024);
  }, 600_000);

  it("as an admin: no answer >= 500, none hangs", async () => {
    const summary = await runHostile(server.url, requests, { identity: { "X-Forwarded-Email": ADMIN } });
    process.stderr.write(`hostile (admin) ${report(summary)}\n`);
    expect(summary.sent).toBe(COUNT);
    expect(summary.serverErrors.map(line), report(summary)).toEqual([]);
    expect(summary.hangs.map(line), report(summary)).toEqual([]);
    expect(summary.dropped.map(line), report(summary)).toEqual([]);
    // The admin's valid mutations did run: the suite reaches past validation.
    expect(summary.adminSuccesses.length).toBeGreaterThan(0);
  }, 600_000);

  it("logged no unhandled error", () => {
    const errors = server.logs.filter((l) => l.includes('"level":"error"'));
    expect(errors.slice(0, 3).map((l) => l.slice(0, 600))).toEqual([]);
  });
});
