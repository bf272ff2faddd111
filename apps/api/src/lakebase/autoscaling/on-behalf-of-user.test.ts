// The Autoscaling admin acting as the signed-in user, as on Databricks Apps (LAKEBASE_ADMIN_AUTH=user, the
// default there): every change to the project goes with the user's forwarded token, so Databricks decides
// (CAN_MANAGE on the project) and names them; the app's service principal only reads and polls. A proxy in
// front of the REST API records whose token each call carried.
import type { WorkspaceClient } from "@databricks/sdk-experimental";
import { migrate, type RecordingProxy, startRecordingProxy } from "@lakebase-orders/api/testing";
import { loadConfig } from "@lakebase-orders/config";
import { createDb, type Db } from "@lakebase-orders/db";
import { PostgresApi } from "@lakebase-orders/lakebase-api";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { patchPermissions, sdkFor } from "@lakebase-orders/lakebase-local/testing";
import { createLogger } from "@lakebase-orders/log";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../http/app.ts";
import { buildServices } from "../../start/services.ts";

const SP = { clientId: "7d2c1b0a-obo-as-sp", clientSecret: "obo-as-secret", admin: false };
const ADA = "ada@example.com"; // CAN_MANAGE on the project
const BOB = "bob@example.com"; // an app admin whom Databricks gives nothing
const PROJECT_ID = "obo-as";
const PROJECT = `projects/${PROJECT_ID}`;

let local: LakebaseLocal;
let proxy: RecordingProxy;
let database: TestDatabase;
let db: Db;
let admin: WorkspaceClient;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  local = await startLakebaseLocal({
    flavor: "autoscaling",
    sourceRows: 50,
    servicePrincipals: [SP],
    timings: { instanceStartMs: 0, instanceDeleteMs: 0, pipelineStepMs: 0 },
    seed: {
      instanceName: PROJECT_ID,
      catalogName: "obo_as",
      databaseName: "orders",
      syncedTable: "public.orders_synced",
    },
  });
  proxy = await startRecordingProxy(local.restUrl);
  database = await createTestDatabase("obo_as");
  db = createDb({ connectionString: database.url, max: 4 });
  await migrate(db);
  admin = sdkFor(local);
  tokens[ADA] = local.addUser(ADA);
  tokens[BOB] = local.addUser(BOB);
  // A project's ACL is also its instance ACL (the `database` API's view of it).
  const granted = await patchPermissions(admin, PROJECT_ID, [
    { user_name: ADA, permission_level: "CAN_MANAGE" },
  ]);
  expect(granted.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await db?.disconnect();
  await database?.drop();
  await proxy?.close();
  await local?.stop();
});

function appFor() {
  const config = loadConfig({
    DATABRICKS_APP_NAME: "lakebase-orders",
    DATABRICKS_HOST: proxy.url,
    DATABRICKS_CLIENT_ID: SP.clientId,
    DATABRICKS_CLIENT_SECRET: SP.clientSecret,
    LAKEBASE_PROJECT_ID: PROJECT_ID,
    LAKEBASE_CATALOG_NAME: "obo_as",
    LAKEBASE_DATABASE_NAME: "orders",
    APP_ADMINS: `${ADA},${BOB}`,
  });
  const services = buildServices(config, db, {
    logger: createLogger({ write: () => undefined }),
    lakebase: { pollIntervalMs: 15, statusCacheMs: 10 },
    onProvisioned: async () => undefined,
  });
  const app = createApp(services);
  const call = async (procedure: string, as: string, input: unknown = {}) => {
    const response = await app.request(`http://api.test/api/trpc/${procedure}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Forwarded-Email": as,
        "X-Forwarded-Access-Token": tokens[as] ?? "",
      },
      body: JSON.stringify(input),
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        error?: { message: string; data: { code: string; databricks: unknown } };
      },
    };
  };
  return { services, call };
}

const who = (bearer: string | null) =>
  bearer === tokens[ADA] ? ADA : bearer === tokens[BOB] ? BOB : "service-principal";
const changesSince = (mark: number) =>
  proxy.calls
    .slice(mark)
    .filter(
      (c) =>
        c.path.startsWith("/api/2.0/postgres/") && c.method !== "GET" && !c.path.endsWith("/credentials"),
    )
    .map((c) => [c.method, c.path, who(c.bearer), c.status]);

describe("the Autoscaling admin as the signed-in user", () => {
  it("refused: Databricks' FORBIDDEN to an app admin without CAN_MANAGE, made with their token", async () => {
    const { services, call } = appFor();
    try {
      const mark = proxy.calls.length;
      const refused = await call("lakebase.branches.create", BOB, { branchId: "bob-dev", noExpiry: true });
      expect(refused.status).toBe(403);
      expect(refused.body.error?.data).toMatchObject({
        code: "FORBIDDEN",
        databricks: { errorCode: "PERMISSION_DENIED", statusCode: 403 },
      });
      expect(changesSince(mark)).toEqual([["POST", `/api/2.0/postgres/${PROJECT}/branches`, BOB, 403]]);
      expect(await new PostgresApi(admin).getBranch(`${PROJECT}/branches/bob-dev`)).toBeNull();
    } finally {
      await services.close();
    }
  });

  it("allowed: the user's token makes each change, the service principal only polls", async () => {
    const { services, call } = appFor();
    try {
      const mark = proxy.calls.length;
      const created = await call("lakebase.branches.create", ADA, { branchId: "ada-dev", ttlSeconds: 3600 });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      await services.lakebase.idle();
      const stopped = await call("lakebase.stop", ADA);
      expect(stopped.status, JSON.stringify(stopped.body)).toBe(200);
      const started = await call("lakebase.start", ADA);
      expect(started.status).toBe(200);
      expect(changesSince(mark)).toEqual([
        ["POST", `/api/2.0/postgres/${PROJECT}/branches`, ADA, 200],
        ["PATCH", `/api/2.0/postgres/${PROJECT}/branches/production/endpoints/primary`, ADA, 200],
        ["PATCH", `/api/2.0/postgres/${PROJECT}/branches/production/endpoints/primary`, ADA, 200],
      ]);
      const polls = proxy.calls.slice(mark).filter((c) => c.path.includes("/operations/"));
      expect(polls.length).toBeGreaterThan(0);
      expect(new Set(polls.map((c) => who(c.bearer)))).toEqual(new Set(["service-principal"]));
      expect((await services.lakebase.status()).operation).toMatchObject({
        kind: "start",
        actor: ADA,
        outcome: "succeeded",
      });
    } finally {
      await services.close();
    }
  });
});
