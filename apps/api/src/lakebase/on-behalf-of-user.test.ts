// On-behalf-of-user (issue 17.1) end to end: the app as Databricks Apps runs it (identity and token from the
// proxy's headers, its service principal's OAuth credentials), over a local Lakebase with users and
// per-instance permissions. A proxy in front of the REST API records whose token each call carried.
import type { WorkspaceClient } from "@databricks/sdk-experimental";
import {
  FAST,
  migrate,
  type Names,
  namesFor,
  type RecordingProxy,
  startRecordingProxy,
} from "@lakebase-orders/api/testing";
import { loadConfig } from "@lakebase-orders/config";
import { createDb, type Db } from "@lakebase-orders/db";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { patchPermissions, sdkFor, until } from "@lakebase-orders/lakebase-local/testing";
import { createLogger } from "@lakebase-orders/log";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../http/app.ts";
import { NO_USER_TOKEN } from "../routers/admin-procedure.ts";
import { buildServices } from "../start/services.ts";

const SP = { clientId: "0b8e7c8e-3a2f-4f55-9d8e-1f2a3b4c5d6e", clientSecret: "obo-sp-secret", admin: false };
const ADA = "ada@example.com"; // granted CAN_MANAGE on the seeded instance
const BOB = "bob@example.com"; // an app admin (APP_ADMINS) whom Databricks gives nothing

let local: LakebaseLocal;
let proxy: RecordingProxy;
let database: TestDatabase;
let db: Db;
let admin: WorkspaceClient;
let seeded: Names;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  seeded = namesFor("obo");
  const adminUrl = process.env.PG_LOCAL_ADMIN_URL;
  local = await startLakebaseLocal({
    ...(adminUrl ? { postgres: { adminUrl } } : {}),
    timings: FAST,
    sourceRows: 300,
    servicePrincipals: [SP],
    seed: {
      instanceName: seeded.instanceName,
      catalogName: seeded.catalogName,
      databaseName: seeded.databaseName,
      syncedTable: seeded.syncedTable,
    },
  });
  proxy = await startRecordingProxy(local.restUrl);
  database = await createTestDatabase("obo");
  db = createDb({ connectionString: database.url, max: 4 });
  await migrate(db);
  admin = sdkFor(local);
  tokens[ADA] = local.addUser(ADA);
  tokens[BOB] = local.addUser(BOB);
  const granted = await patchPermissions(admin, seeded.instanceName, [
    { user_name: ADA, permission_level: "CAN_MANAGE" },
  ]);
  expect(granted.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await db?.disconnect();
  await database?.drop();
  await proxy?.close();
  await local?.stop();
});

/** The app as deployed on Databricks Apps, for these names; calls go through the recording proxy. */
function appFor(names: Names, env: Record<string, string> = {}) {
  const logs: string[] = [];
  const config = loadConfig({
    DATABRICKS_APP_NAME: "lakebase-orders",
    DATABRICKS_HOST: proxy.url,
    DATABRICKS_CLIENT_ID: SP.clientId,
    DATABRICKS_CLIENT_SECRET: SP.clientSecret,
    LAKEBASE_INSTANCE_NAME: names.instanceName,
    LAKEBASE_CATALOG_NAME: names.catalogName,
    LAKEBASE_DATABASE_NAME: names.databaseName,
    LAKEBASE_SYNCED_TABLE: names.syncedTable,
    APP_ADMINS: `${ADA},${BOB}`,
    ...env,
  });
  const services = buildServices(config, db, {
    logger: createLogger({ write: (l) => logs.push(l), level: "debug" }),
    lakebase: { pollIntervalMs: 15, statusCacheMs: 10 },
    onProvisioned: async () => undefined,
  });
  const app = createApp(services);
  const call = async (procedure: string, as: string | null, token: string | null, input: unknown = {}) => {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (as) headers["X-Forwarded-Email"] = as;
    if (token) headers["X-Forwarded-Access-Token"] = token;
    const response = await app.request(`http://api.test/api/trpc/${procedure}`, {
      method: "POST",
      headers,
      body: JSON.stringify(input),
    });
    return { status: response.status, body: (await response.json()) as TrpcBody };
  };
  return { services, call, logs, close: () => services.close() };
}

interface TrpcBody {
  result?: { data: unknown };
  error?: {
    message: string;
    data: { code: string; databricks: { errorCode: string; statusCode: number } | null };
  };
}

/** Who made a recorded call: one of the users, else the app's service principal (its OAuth token). */
function whoCalled(bearer: string | null): string {
  if (bearer === tokens[ADA]) return ADA;
  if (bearer === tokens[BOB]) return BOB;
  return bearer ? "service-principal" : "nobody";
}

function callsSince(mark: number) {
  return proxy.calls
    .slice(mark)
    .filter((c) => c.path.startsWith("/api/2.0/database/"))
    .map((c) => ({ method: c.method, path: c.path, who: whoCalled(c.bearer), status: c.status }));
}

async function auditRows(action: string) {
  return db.prisma.adminAudit.findMany({ where: { action }, orderBy: { id: "asc" } });
}

describe("admin mutations act as the signed-in user (LAKEBASE_ADMIN_AUTH=user, the default on Apps)", () => {
  it("refused: Databricks says FORBIDDEN, with its message, to an app admin without CAN_MANAGE", async () => {
    const app = appFor(seeded);
    try {
      const mark = proxy.calls.length;
      const stop = await app.call("lakebase.stop", BOB, tokens[BOB]!);
      expect(stop.status).toBe(403);
      expect(stop.body.error?.data).toMatchObject({
        code: "FORBIDDEN",
        databricks: { errorCode: "PERMISSION_DENIED", statusCode: 403 },
      });
      expect(stop.body.error?.message).toMatch(/bob@example\.com does not have CAN_MANAGE permission/);
      expect(callsSince(mark)).toContainEqual({
        method: "PATCH",
        path: `/api/2.0/database/instances/${seeded.instanceName}`,
        who: BOB,
        status: 403,
      });

      const del = await app.call("lakebase.delete", BOB, tokens[BOB]!, { confirmName: seeded.instanceName });
      expect(del.status).toBe(403);
      expect(del.body.error?.data.databricks).toEqual({ errorCode: "PERMISSION_DENIED", statusCode: 403 });
      // Nothing was touched, and the app's own audit names Bob and the refusal.
      expect((await admin.database.getDatabaseInstance({ name: seeded.instanceName })).state).toBe(
        "AVAILABLE",
      );
      expect(await admin.database.getSyncedDatabaseTable({ name: seeded.syncedTable })).toBeTruthy();
      const audit = [...(await auditRows("lakebase.stop")), ...(await auditRows("lakebase.delete"))];
      expect(audit.filter((r) => r.actor === BOB).map((r) => r.outcome)).toEqual(["forbidden", "forbidden"]);
    } finally {
      await app.close();
    }
  }, 30_000);

  it("allowed: a user with CAN_MANAGE stops and starts the instance with their own token", async () => {
    const app = appFor(seeded);
    try {
      const mark = proxy.calls.length;
      const stop = await app.call("lakebase.stop", ADA, tokens[ADA]!);
      expect(stop.status).toBe(200);
      // The stop succeeds once the instance is STOPPED (watched in the background, as the service principal).
      await app.services.lakebase.idle();
      expect((await admin.database.getDatabaseInstance({ name: seeded.instanceName })).state).toBe("STOPPED");
      const start = await app.call("lakebase.start", ADA, tokens[ADA]!);
      expect(start.status).toBe(200);
      await until(
        () => admin.database.getDatabaseInstance({ name: seeded.instanceName }),
        (i) => i.state === "AVAILABLE",
      );
      const changes = callsSince(mark).filter((c) => c.method !== "GET");
      expect(changes.map((c) => [c.method, c.who, c.status])).toEqual([
        ["PATCH", ADA, 200],
        ["PATCH", ADA, 200],
      ]);
    } finally {
      await app.close();
    }
  }, 30_000);

  it("a whole create and delete as the user: Databricks records the person as the instance's creator", async () => {
    const names = namesFor("obonew");
    const app = appFor(names);
    try {
      const mark = proxy.calls.length;
      const created = await app.call("lakebase.create", ADA, tokens[ADA]!, {
        acknowledgeCost: true,
        capacity: "CU_1",
        nodeCount: 1,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      await app.services.lakebase.idle(); // the catalog and synced table, in the background, still as Ada
      const instance = await admin.database.getDatabaseInstance({ name: names.instanceName });
      expect(instance.creator).toBe(ADA);
      expect(await admin.database.getSyncedDatabaseTable({ name: names.syncedTable })).toBeTruthy();
      const deleted = await app.call("lakebase.delete", ADA, tokens[ADA]!, {
        confirmName: names.instanceName,
      });
      expect(deleted.status).toBe(200);
      const changes = callsSince(mark).filter((c) => c.method !== "GET");
      expect(changes.map((c) => `${c.method} ${c.path.split("/")[4]} ${c.who}`)).toEqual([
        "POST instances ada@example.com",
        "POST catalogs ada@example.com",
        "POST synced_tables ada@example.com",
        "DELETE synced_tables ada@example.com",
        "DELETE catalogs ada@example.com",
        // The delete noted on the instance (its tags) before the instance goes: part of the user's change.
        "PATCH instances ada@example.com",
        "DELETE instances ada@example.com",
      ]);
      // Every read and wait of the workflow was the service principal's (the app's bookkeeping).
      const reads = callsSince(mark).filter((c) => c.method === "GET");
      expect(new Set(reads.map((c) => c.who))).toEqual(new Set(["service-principal"]));
      const audit = await auditRows("lakebase.create.finished");
      expect(audit.at(-1)).toMatchObject({ actor: ADA, outcome: "succeeded" });
    } finally {
      await app.close();
    }
  }, 60_000);

  it("status polling, waits and availability checks use the service principal, never a user's token", async () => {
    const app = appFor(seeded);
    try {
      const mark = proxy.calls.length;
      expect((await app.call("lakebase.stop", ADA, tokens[ADA]!)).status).toBe(200);
      await app.services.lakebase.idle();
      expect((await app.call("lakebase.start", ADA, tokens[ADA]!)).status).toBe(200);
      const status = await app.services.lakebase.status({ maxAgeMs: 0 });
      expect(status.instance?.name).toBe(seeded.instanceName);
      await app.services.availability().catch(() => undefined);
      // The start's wait polls until AVAILABLE, in the background.
      await until(
        async () => callsSince(mark).filter((c) => c.method === "GET").length,
        (n) => n >= 4,
      );
      const reads = callsSince(mark).filter((c) => c.method === "GET");
      expect(reads.length).toBeGreaterThan(0);
      expect(new Set(reads.map((c) => c.who))).toEqual(new Set(["service-principal"]));
    } finally {
      await app.close();
    }
  }, 30_000);

  it("without a forwarded token the mutation is refused, never made as the service principal instead", async () => {
    const app = appFor(seeded);
    try {
      const mark = proxy.calls.length;
      const stop = await app.call("lakebase.stop", ADA, null);
      expect(stop.status).toBe(412);
      expect(stop.body.error?.message).toBe(NO_USER_TOKEN);
      expect(callsSince(mark).filter((c) => c.method !== "GET")).toEqual([]);
      expect((await auditRows("lakebase.stop")).at(-1)).toMatchObject({ actor: ADA, outcome: "rejected" });
    } finally {
      await app.close();
    }
  }, 30_000);
});

describe("LAKEBASE_ADMIN_AUTH=service-principal", () => {
  it("makes the change as the app's service principal, whatever token the proxy forwards", async () => {
    const app = appFor(seeded, { LAKEBASE_ADMIN_AUTH: "service-principal" });
    try {
      const mark = proxy.calls.length;
      // Ada may manage the instance, the service principal may not: Databricks judges the principal.
      const stop = await app.call("lakebase.stop", ADA, tokens[ADA]!);
      expect(stop.status).toBe(403);
      expect(stop.body.error?.message).toContain(SP.clientId);
      expect(
        callsSince(mark)
          .filter((c) => c.method === "PATCH")
          .map((c) => c.who),
      ).toEqual(["service-principal"]);
    } finally {
      await app.close();
    }
  }, 30_000);
});
