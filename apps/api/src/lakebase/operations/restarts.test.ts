import {
  type ApiProcess,
  httpClient,
  type LocalWorkspace,
  startApiProcess,
  startLocalWorkspace,
} from "@lakebase-orders/api/testing";
import { LOCAL_ADMIN } from "@lakebase-orders/config";
import { sdkFor, until } from "@lakebase-orders/lakebase-local/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Restarts in the middle of an operation, through the real entry point, with the operation journal in the
// instance's own database (as on Databricks Apps): SIGTERM during a create must leave it to the next process
// (not call it failed while Databricks goes on creating), and a restart during a delete must carry the delete
// on (or report it), never resume a create that the instance's old create tag seems to describe.

let w: LocalWorkspace;
let env: Record<string, string>;
const processes: ApiProcess[] = [];

beforeAll(async () => {
  // An instance takes 25 s to go: a process restarted meanwhile finds it DELETING, its database gone.
  w = await startLocalWorkspace("restarts", { timings: { instanceStartMs: 200, instanceDeleteMs: 25_000 } });
  env = {
    ...(w.env as Record<string, string>),
    PGHOST: "127.0.0.1",
    PGUSER: LOCAL_ADMIN,
    LAKEBASE_OPERATION_LEASE_SECONDS: "3",
    LAKEBASE_STATUS_POLL_SECONDS: "1",
    DB_STARTUP_RETRY_MAX_SECONDS: "1",
  };
}, 60_000);

afterAll(async () => {
  w?.local.faults.clear();
  await Promise.all(processes.map((p) => p.stop()));
  await w?.close();
});

async function start(label: string): Promise<ApiProcess> {
  const p = await startApiProcess(env, label);
  processes.push(p);
  return p;
}

async function exists() {
  const sdk = sdkFor(w.local);
  const probe = (f: () => Promise<unknown>) =>
    f().then(
      () => true,
      (e: { statusCode?: number }) => {
        if (e.statusCode === 404) return false;
        throw e;
      },
    );
  return {
    instance: await probe(() => sdk.database.getDatabaseInstance({ name: w.names.instanceName })),
    catalog: await probe(() => sdk.database.getDatabaseCatalog({ name: w.names.catalogName })),
    syncedTable: await probe(() => sdk.database.getSyncedDatabaseTable({ name: w.names.syncedTable })),
  };
}

async function auditOf(operationId: string): Promise<string[]> {
  const url = new URL(w.local.adminUrl);
  url.pathname = `/${w.local.physicalDatabase(w.names.instanceName, w.names.databaseName)}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const rows = await client.query<{ action: string; outcome: string }>(
      "SELECT action, outcome FROM app_data.admin_audit WHERE detail->'operation'->>'id' = $1 ORDER BY at",
      [operationId],
    );
    return rows.rows.map((r) => `${r.action} ${r.outcome}`);
  } finally {
    await client.end();
  }
}

const resumedKinds = (p: ApiProcess) =>
  p.logs.filter((l) => l.msg === "lakebase operation resumed").map((l) => l.kind);

describe("restarts in the middle of an operation", () => {
  it("SIGTERM during a create leaves it running for the next process, which finishes it", async () => {
    // The seeded instance goes first (the app creates its own, tagged with the create, as in production).
    await sdkFor(w.local).database.deleteDatabaseInstance({ name: w.names.instanceName, purge: true });
    await until(exists, (e) => !e.instance, 60_000);
    const a = await start("create-a");
    // The catalog (and with it the database) is slow to come: SIGTERM arrives while it is being created.
    w.local.faults.addLatency({ method: "POST", path: "/api/2.0/database/catalogs" }, 2500);
    const created = await httpClient(a.url).lakebase.create.mutate({ acknowledgeCost: true });
    await a.waitForLog((l) => l.msg === "lakebase operation started" && l.kind === "create");
    await new Promise((r) => setTimeout(r, 800));
    await a.stop();
    w.local.faults.clear();
    // The stopping process recorded no outcome: Databricks goes on, and so must the next process.
    expect(
      a.logs.filter((l) => l.msg === "lakebase operation finished" && l.operationId === created.operationId),
    ).toEqual([]);
    expect(a.logs.some((l) => l.msg === "lakebase operation left to another process")).toBe(true);

    const b = await start("create-b");
    const running = await httpClient(b.url).lakebase.status.query();
    expect(running.operation).toMatchObject({ id: created.operationId, kind: "create", outcome: "running" });
    const resumed = await b.waitForLog((l) => l.msg === "lakebase operation resumed", 30_000);
    expect(resumed).toMatchObject({ operationId: created.operationId, kind: "create" });
    await b.waitForLog(
      (l) =>
        l.msg === "lakebase operation finished" &&
        l.operationId === created.operationId &&
        l.outcome === "succeeded",
      60_000,
    );
    expect(await exists()).toEqual({ instance: true, catalog: true, syncedTable: true });
    const done = await until(
      () => httpClient(b.url).lakebase.status.query(),
      (s) => s.operation?.outcome !== "running",
      30_000,
    );
    expect(done.operation).toMatchObject({ id: created.operationId, kind: "create", outcome: "succeeded" });
    const audit = await until(
      () => auditOf(created.operationId),
      (rows) => rows.includes("lakebase.create.finished succeeded"),
      30_000,
    );
    expect(audit.filter((r) => r.endsWith("failed"))).toEqual([]);
    expect(audit).toContain("lakebase.create.resumed accepted");
    await b.stop();
  }, 120_000);

  it("a restart while the instance is being deleted carries the delete on, never a create", async () => {
    // The instance the app created above carries its create's tag: a restarted process must not take the
    // tag of a long-finished create for an interrupted one.
    const a = await start("delete-a");
    await until(
      () => fetch(`${a.url}/api/ready`).catch(() => null),
      (r) => r?.status === 200,
      60_000,
    );
    const deleting = httpClient(a.url)
      .lakebase.delete.mutate({ confirmName: w.names.instanceName })
      .catch((error: unknown) => error);
    const going = await until(
      () => httpClient(a.url).lakebase.status.query(),
      (s) => s.instance?.state === "DELETING",
      30_000,
    );
    expect(going.operation).toMatchObject({ kind: "delete", outcome: "running" });
    await a.kill();
    await deleting;

    const b = await start("delete-b");
    // Once its lease (3 s) has run out unrenewed, the instance still going, the next process takes the delete
    // over (the instance carries it): waited for, where a fixed 8 s sleep was, and it must not be a create.
    const resumed = await b.waitForLog((l) => l.msg === "lakebase operation resumed", 30_000);
    expect(resumed).toMatchObject({ operationId: going.operation?.id, kind: "delete" });
    expect(resumedKinds(b)).not.toContain("create");
    // It says a delete is under way (the instance carries it, its database is gone).
    const seen = await httpClient(b.url).lakebase.status.query();
    expect(seen.instance?.state).toBe("DELETING");
    expect(seen.operation).toMatchObject({ id: going.operation?.id, kind: "delete", outcome: "running" });
    await until(exists, (e) => !e.instance, 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(resumedKinds(b)).not.toContain("create");
    expect(b.logs.some((l) => l.msg === "lakebase operation finished" && l.kind === "create")).toBe(false);
    expect(await exists()).toEqual({ instance: false, catalog: false, syncedTable: false });
    await b.stop();
  }, 120_000);
});
