import type { WorkspaceClient } from "@databricks/sdk-experimental";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAST,
  patchInstance,
  postgresCall,
  postgresMutate,
  rejectionOf,
  sdkFor,
  until,
} from "../../testing/index.ts";
import { type LakebaseLocal, startLakebaseLocal } from "../lakebase-local.ts";

// Scale to zero for real: the default project's primary endpoint suspends its postmaster after
// `suspendAfterMs` without queries (idle sessions end with 57P01), and the next login wakes it.
const SUSPEND_AFTER_MS = 400;
const WAKE_DELAY_MS = 150;

let db: TestDatabase;
let local: LakebaseLocal;
let w: WorkspaceClient;
let endpoint: string;

interface Endpoint {
  status: {
    current_state: string;
    disabled: boolean;
    last_active_time?: string;
    suspend_timeout_duration?: string;
  };
}

beforeAll(async () => {
  db = await createTestDatabase("lbl_s2z");
  local = await startLakebaseLocal({
    postgres: { adminUrl: db.adminUrl },
    timings: FAST,
    sourceRows: 20,
    suspendAfterMs: SUSPEND_AFTER_MS,
    wakeDelayMs: WAKE_DELAY_MS,
    seed: {
      instanceName: "s2z-it",
      catalogName: "s2z_cat",
      databaseName: "orders",
      syncedTable: "public.orders_synced",
    },
  });
  w = sdkFor(local);
  endpoint = local.endpointName ?? "";
}, 60_000);

afterAll(async () => {
  await local?.stop();
  await db?.drop();
});

/** A client with its errors kept (an idle client learns of a suspension through an 'error' event). */
async function connect(): Promise<{ client: pg.Client; errors: (Error & { code?: string })[] }> {
  const errors: (Error & { code?: string })[] = [];
  const client = new pg.Client({
    host: local.pgHost,
    port: local.pgPort,
    user: local.identity,
    password: local.workspaceToken,
    database: "orders",
    ssl: { ca: local.caPem },
    connectionTimeoutMillis: 10_000,
  });
  client.on("error", (error) => errors.push(error));
  await client.connect();
  return { client, errors };
}

const state = async () => (await postgresCall<Endpoint>(w, "GET", endpoint)).status;

describe("scale to zero", () => {
  it("suspends an endpoint whose sessions are idle, ending them with 57P01, then wakes on the next login", async () => {
    expect((await state()).suspend_timeout_duration).toBe("0.400s");
    const idle = await connect();
    await idle.client.query("SELECT 1");
    const lastQueryAt = Date.now();
    // (It may have gone to zero once already since the seed, and been woken by this login.)
    const before = local.counters().computes[endpoint] ?? { suspensions: 0, wakes: 0 };
    await until(
      async () => idle.errors,
      (e) => e.length > 0,
      10_000,
    );
    expect(idle.errors[0]?.code).toBe("57P01");
    const suspended = await until(state, (s) => s.current_state === "IDLE", 10_000);
    expect(Date.parse(suspended.last_active_time ?? "")).toBeGreaterThanOrEqual(lastQueryAt - 50);
    expect(Date.parse(suspended.last_active_time ?? "")).toBeLessThan(Date.now() - SUSPEND_AFTER_MS / 2);
    const counters = local.counters();
    expect(counters.computes[endpoint]?.suspensions).toBe(before.suspensions + 1);
    expect(counters.suspensions).toBe(before.suspensions + 1);
    // The `database` API still calls the instance AVAILABLE: a connection wakes it.
    expect((await w.database.getDatabaseInstance({ name: "s2z-it" })).state).toBe("AVAILABLE");
    // A project's compute_last_active_time follows its endpoints.
    const project = await postgresCall<{ status: { compute_last_active_time?: string } }>(
      w,
      "GET",
      local.projectName ?? "",
    );
    expect(project.status.compute_last_active_time).toBe(suspended.last_active_time);

    const started = Date.now();
    const woken = await connect();
    const rows = await woken.client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM public.orders_synced",
    );
    const firstRowMs = Date.now() - started;
    expect(rows.rows[0]?.n).toBe(20);
    expect(firstRowMs).toBeGreaterThanOrEqual(WAKE_DELAY_MS);
    expect((await state()).current_state).toBe("ACTIVE");
    expect(local.counters().computes[endpoint]?.wakes).toBe(before.wakes + 1);
    expect(local.counters().computes[endpoint]?.lastWakeMs).toBeGreaterThanOrEqual(WAKE_DELAY_MS);
    await woken.client.end();
  }, 60_000);

  it("stays awake while a session is inside a transaction, then suspends once it is idle", async () => {
    await until(state, (s) => s.current_state === "IDLE", 10_000);
    const busy = await connect();
    await busy.client.query("BEGIN");
    await busy.client.query("SELECT 1");
    await new Promise((r) => setTimeout(r, SUSPEND_AFTER_MS * 3));
    expect((await state()).current_state).toBe("ACTIVE");
    expect(busy.errors).toEqual([]);
    await busy.client.query("COMMIT");
    await until(
      async () => busy.errors,
      (e) => e.length > 0,
      10_000,
    );
    expect(busy.errors[0]?.code).toBe("57P01");
  }, 60_000);

  it("counts work that bypasses the front door (a pipeline, a superuser session) as activity", async () => {
    await until(state, (s) => s.current_state === "IDLE", 10_000);
    const woken = await connect();
    await woken.client.end();
    const inside = new pg.Client({ connectionString: local.adminUrl.replace(/\/postgres$/, "/orders") });
    inside.on("error", () => undefined);
    await inside.connect();
    await inside.query("BEGIN");
    await inside.query("SELECT count(*) FROM public.orders_synced");
    await new Promise((r) => setTimeout(r, SUSPEND_AFTER_MS * 3));
    expect((await state()).current_state).toBe("ACTIVE");
    await inside.query("COMMIT");
    await until(state, (s) => s.current_state === "IDLE", 10_000);
    await inside.end().catch(() => undefined);
  }, 60_000);

  it("disabled: suspends now and refuses logins until enabled again (also as the instance's stop/start)", async () => {
    const open = await connect();
    await postgresMutate(w, "PATCH", endpoint, {
      query: { update_mask: "spec.disabled" },
      body: { spec: { disabled: true } },
    });
    // Its session ended with the compute (57P01, or a closed connection when it was being relayed).
    await until(
      async () => open.errors.length,
      (n) => n > 0,
      10_000,
    );
    const status = await state();
    expect(status).toMatchObject({ disabled: true, current_state: "IDLE" });
    const refused = await rejectionOf(connect());
    expect(refused.code).toBe("57P03");
    expect(refused.message).toBe(`endpoint "${endpoint}" is disabled`);
    expect((await w.database.getDatabaseInstance({ name: "s2z-it" })).state).toBe("STOPPED");

    // The `database` API's start enables it and starts its compute.
    const started = await patchInstance(w, "s2z-it", "stopped", { stopped: false });
    expect(started.json.state).toBe("STARTING");
    await until(
      () => w.database.getDatabaseInstance({ name: "s2z-it" }),
      (i) => i.state === "AVAILABLE",
    );
    expect((await state()).disabled).toBe(false);
    const again = await connect();
    await again.client.query("SELECT 1");
    await again.client.end();
    // And its stop disables the endpoint.
    expect((await patchInstance(w, "s2z-it", "stopped", { stopped: true })).json.state).toBe("STOPPED");
    expect((await state()).disabled).toBe(true);
    await patchInstance(w, "s2z-it", "stopped", { stopped: false });
  }, 60_000);
});
