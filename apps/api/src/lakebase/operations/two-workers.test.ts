import { randomUUID } from "node:crypto";
import {
  type ApiProcess,
  httpClient,
  type LocalWorkspace,
  startApiProcess,
  startLocalWorkspace,
} from "@lakebase-orders/api/testing";
import { LOCAL_ADMIN } from "@lakebase-orders/config";
import { until } from "@lakebase-orders/lakebase-local/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VisibleStatus } from "../../routers/visible-status.ts";

// The admin sequence of issue 29 through the real entry point with two cluster workers (CLUSTER_WORKERS=2),
// the operation journal in the very database the operations stop and delete (PGHOST is the instance's front
// door, as a Databricks Apps database resource injects it), and a plain restart of the app in between. At each
// step every worker is asked `lakebase.status` (each answer is told to its worker by its request id in the
// worker's request log line) and all must say the same: the current or last operation, from a shared source.

let w: LocalWorkspace;
let env: Record<string, string>;
const processes: ApiProcess[] = [];
/** The closing note's table: step, then what each worker said. */
const table: { step: string; workers: Record<string, string> }[] = [];

beforeAll(async () => {
  w = await startLocalWorkspace("twowk", { timings: { instanceStartMs: 6000, instanceDeleteMs: 6000 } });
  env = {
    ...(w.env as Record<string, string>),
    PGHOST: "127.0.0.1",
    PGUSER: LOCAL_ADMIN,
    CLUSTER_WORKERS: "2",
    LAKEBASE_OPERATION_LEASE_SECONDS: "3",
    LAKEBASE_STATUS_POLL_SECONDS: "1",
    DB_STARTUP_RETRY_MAX_SECONDS: "1",
  };
}, 60_000);

afterAll(async () => {
  if (table.length > 0) {
    process.stdout.write(
      `admin sequence, two workers:\n${table
        .map((r) => `| ${r.step} | ${r.workers["1"] ?? "-"} | ${r.workers["2"] ?? "-"} |`)
        .join("\n")}\n`,
    );
  }
  await Promise.all(processes.map((p) => p.stop()));
  await w?.close();
});

async function startApp(label: string): Promise<ApiProcess> {
  const p = await startApiProcess(env, label);
  processes.push(p);
  // Both workers listen (the primary logs nothing per worker: wait for two "listening" lines).
  await until(
    async () => p.logs.filter((l) => l.msg === "listening").length,
    (n) => n >= 2,
    60_000,
  );
  return p;
}

/** What one answer says, in the words of the table. */
function describeStatus(s: VisibleStatus): string {
  const op = s.operation;
  const what = op ? `${op.kind} ${op.outcome}${op.outcome === "running" ? "" : ""}` : "no operation";
  return `${what} (${op?.id.slice(0, 8) ?? "-"}); instance ${s.instance?.state ?? "absent"}`;
}

/**
 * `lakebase.status` from every worker: asked until each of the two has answered at least once (the cluster
 * spreads connections round-robin), each answer attributed by its request id.
 */
async function perWorker(p: ApiProcess): Promise<Record<string, VisibleStatus>> {
  const seen: Record<string, VisibleStatus> = {};
  for (let i = 0; i < 40 && Object.keys(seen).length < 2; i++) {
    const requestId = `seq-${randomUUID().slice(0, 12)}`;
    const response = await fetch(`${p.url}/api/trpc/lakebase.status`, {
      headers: { "X-Request-Id": requestId, Connection: "close" },
    });
    const body = (await response.json()) as { result: { data: VisibleStatus } };
    const line = await p.waitForLog((l) => l.msg === "request" && l.requestId === requestId, 10_000);
    seen[String(line.worker)] = body.result.data;
  }
  expect(Object.keys(seen).sort()).toEqual(["1", "2"]);
  return seen;
}

/** Asks every worker until `settled` holds for both (bounded), then records and returns their answers. */
async function step(
  p: ApiProcess,
  name: string,
  settled: (s: VisibleStatus) => boolean,
  timeoutMs = 30_000,
): Promise<Record<string, VisibleStatus>> {
  let last: Record<string, VisibleStatus> = {};
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    last = await perWorker(p);
    if (Object.values(last).every(settled) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const row = {
    step: name,
    workers: Object.fromEntries(Object.entries(last).map(([k, v]) => [k, describeStatus(v)])),
  };
  table.push(row);
  return last;
}

/** Both workers said the same operation (kind, id, outcome) and instance state. */
function agree(views: Record<string, VisibleStatus>) {
  const [a, b] = Object.values(views).map((s) => ({
    operation: s.operation && { id: s.operation.id, kind: s.operation.kind, outcome: s.operation.outcome },
    instance: s.instance?.state ?? null,
  }));
  expect(a, JSON.stringify(table)).toEqual(b);
  return a;
}

async function appRows<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  // The instance's database on the local Lakebase's cluster, past its front door (which a stop closes).
  const url = new URL(w.local.adminUrl);
  url.pathname = `/${w.local.physicalDatabase(w.names.instanceName, w.names.databaseName)}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("the admin sequence with two workers and a restart (issue 29)", () => {
  it("every worker says the same at every step, and a restart never turns a success into a failure", async () => {
    let app = await startApp("app");
    await until(
      async () => app.logs.filter((l) => l.msg === "database ready").length,
      (n) => n >= 2,
      60_000,
    );
    const admin = () => httpClient(app.url);

    // Stop: the journal's database goes away under the operation.
    const stopped = await admin().lakebase.stop.mutate();
    expect(stopped.instance.stopped).toBe(true);
    const afterStop = await step(
      app,
      "stop",
      (s) => s.instance?.state === "STOPPED" && s.operation?.outcome !== "running",
    );
    expect(agree(afterStop)).toMatchObject({
      operation: { kind: "stop", outcome: "succeeded" },
      instance: "STOPPED",
    });
    const stopId = Object.values(afterStop)[0]?.operation?.id;

    // A plain restart of the app while the instance is stopped: nothing held in memory survives.
    await app.stop();
    app = await startApp("app-restarted");
    const afterRestart = await step(app, "restart the app", (s) => s.instance?.state === "STOPPED");
    expect(agree(afterRestart)).toMatchObject({
      operation: { id: stopId, kind: "stop", outcome: "succeeded" },
      instance: "STOPPED",
    });

    // Start: while it starts every worker says so (never the stop as current, never the previous start).
    await admin().lakebase.start.mutate();
    // (The instance takes 6 s to start: every worker's snapshot, at most 3 s old, sees it STARTING.)
    const starting = await step(app, "start (while starting)", (s) => s.operation?.kind === "start");
    expect(agree(starting)).toMatchObject({
      operation: { kind: "start", outcome: "running" },
      instance: "STARTING",
    });
    const startId = Object.values(starting)[0]?.operation?.id;
    const afterStart = await step(
      app,
      "start",
      (s) => s.instance?.state === "AVAILABLE" && s.operation?.outcome === "succeeded",
    );
    expect(agree(afterStart)).toMatchObject({
      operation: { id: startId, kind: "start", outcome: "succeeded" },
      instance: "AVAILABLE",
    });
    // Both workers reach the database again; the journal catches up: the stop and the start are recorded as
    // they ended, and no outcome audit says failed.
    await until(
      async () => app.logs.filter((l) => l.msg === "database ready").length,
      (n) => n >= 2,
      60_000,
    );
    const journal = await until(
      () =>
        appRows<{ id: string; kind: string; outcome: string }>(
          "SELECT id::text, kind, outcome FROM app_data.lakebase_operation ORDER BY started_at",
        ),
      (rows) => rows.filter((r) => r.outcome === "succeeded").length >= 2,
      30_000,
    );
    expect(journal.find((r) => r.id === stopId)).toMatchObject({ kind: "stop", outcome: "succeeded" });
    expect(journal.find((r) => r.id === startId)).toMatchObject({ kind: "start", outcome: "succeeded" });
    const audit = await until(
      () =>
        appRows<{ action: string; outcome: string }>(
          "SELECT action, outcome FROM app_data.admin_audit WHERE action LIKE 'lakebase.%' ORDER BY at",
        ),
      (rows) =>
        rows.some((r) => r.action === "lakebase.start.finished") &&
        rows.some((r) => r.action === "lakebase.stop.finished"),
      30_000,
    );
    expect(audit.filter((r) => r.action.endsWith(".finished") && r.outcome !== "succeeded")).toEqual([]);
    // One outcome row per operation, whoever wrote it (its process, or the one that found it ended).
    expect(audit.filter((r) => r.action === "lakebase.stop.finished")).toHaveLength(1);
    expect(audit.filter((r) => r.action === "lakebase.start.finished")).toHaveLength(1);
    // (The stop request's own row was kept in the first app's memory, its database being stopped, and went
    // with the restart: it is in that app's log. Its outcome row is here, settled from the resources.)
    expect(audit.map((r) => `${r.action} ${r.outcome}`)).toEqual(
      expect.arrayContaining([
        "lakebase.stop.finished succeeded",
        "lakebase.start accepted",
        "lakebase.start.finished succeeded",
      ]),
    );
    // A second look, once everything has settled: still the same everywhere.
    expect(agree(await step(app, "start (settled)", () => true))).toMatchObject({
      operation: { id: startId, outcome: "succeeded" },
    });

    // Delete: the journal's database is deleted with the instance. While the catalog goes (slowed to 4 s) the
    // journal says so; while the instance goes (6 s) the delete noted on the instance does.
    w.local.faults.addLatency({ method: "DELETE", path: "/api/2.0/database/catalogs/*" }, 4000);
    const deleting = admin().lakebase.delete.mutate({ confirmName: w.names.instanceName });
    const journalSays = await step(app, "delete (catalog going)", (s) => s.operation?.kind === "delete");
    expect(agree(journalSays)).toMatchObject({ operation: { kind: "delete", outcome: "running" } });
    const deleteId = Object.values(journalSays)[0]?.operation?.id;
    const instanceSays = await step(app, "delete (instance going)", (s) => s.instance?.state === "DELETING");
    expect(agree(instanceSays)).toMatchObject({
      operation: { id: deleteId, kind: "delete", outcome: "running" },
      instance: "DELETING",
    });
    const deleted = await deleting;
    w.local.faults.clear();
    expect(deleted.steps.map((s) => s.outcome)).toEqual(["deleted", "deleted", "deleted"]);
    const afterDelete = await step(app, "delete", (s) => s.instance === null);
    expect(agree(afterDelete)).toMatchObject({ instance: null });
    expect(Object.values(afterDelete).every((s) => s.operation?.outcome !== "failed")).toBe(true);

    // Create: every worker follows it to the end.
    const created = await admin().lakebase.create.mutate({ acknowledgeCost: true });
    const creating = await step(app, "create (in progress)", (s) => s.operation?.kind === "create");
    expect(agree(creating)).toMatchObject({ operation: { id: created.operationId, kind: "create" } });
    const afterCreate = await step(
      app,
      "create",
      (s) =>
        s.operation?.outcome === "succeeded" &&
        Boolean(s.syncedTable?.detailedState?.startsWith("SYNCED_TABLE_ONLINE")),
      90_000,
    );
    expect(agree(afterCreate)).toMatchObject({
      operation: { id: created.operationId, kind: "create", outcome: "succeeded" },
      instance: "AVAILABLE",
    });
    // The new database's journal and audit hold the delete too (kept in memory until it existed).
    const history = await until(
      () =>
        appRows<{ kind: string; outcome: string }>(
          "SELECT kind, outcome FROM app_data.lakebase_operation ORDER BY started_at",
        ),
      (rows) =>
        rows.some((r) => r.kind === "delete") &&
        rows.some((r) => r.kind === "create" && r.outcome === "succeeded"),
      30_000,
    );
    expect(history.map((r) => `${r.kind} ${r.outcome}`)).toEqual(["delete succeeded", "create succeeded"]);
    const newAudit = await until(
      () =>
        appRows<{ action: string; outcome: string }>(
          "SELECT action, outcome FROM app_data.admin_audit WHERE action LIKE 'lakebase.%' ORDER BY at",
        ),
      // The delete's row waits in the memory of the worker that ran it, retried with backoff (up to 60 s).
      (rows) =>
        rows.some((r) => r.action === "lakebase.create.finished") &&
        rows.some((r) => r.action === "lakebase.delete"),
      90_000,
    );
    expect(newAudit.filter((r) => r.action === "lakebase.create.finished")).toHaveLength(1);
    expect(newAudit.map((r) => `${r.action} ${r.outcome}`)).toEqual(
      expect.arrayContaining([
        "lakebase.delete succeeded",
        "lakebase.create accepted",
        "lakebase.create.finished succeeded",
      ]),
    );
  }, 300_000);
});
