import {
  type ApiProcess,
  httpClient,
  type LocalWorkspace,
  startApiProcess,
  startLocalWorkspace,
} from "@lakebase-orders/api/testing";
import { LOCAL_ADMIN } from "@lakebase-orders/config";
import { MIGRATION_LOCK_KEY } from "@lakebase-orders/db";
import { until } from "@lakebase-orders/lakebase-local/testing";
import { TRPCClientError } from "@trpc/client";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../routers/app-router.ts";

// Two replicas of the app (two OS processes, same configuration) over one local Lakebase. The lease lives
// in the instance's database (the operation journal); a short lease so that a killed holder is found fast.
let w: LocalWorkspace;
let env: Record<string, string>;
const processes: ApiProcess[] = [];
/** The two replicas now running (a restarted one replaces the killed one). */
const replicas: ApiProcess[] = [];
/** Sessions holding the migration lock, let go at the latest when the file ends. */
const lockHolders: { release(): Promise<void> }[] = [];

beforeAll(async () => {
  w = await startLocalWorkspace("twoproc", { timings: { instanceStartMs: 200, instanceDeleteMs: 200 } });
  env = {
    ...(w.env as Record<string, string>),
    // What a Databricks Apps database resource injects: no Databricks call is needed to reach Postgres.
    PGHOST: "127.0.0.1",
    PGUSER: LOCAL_ADMIN,
    LAKEBASE_OPERATION_LEASE_SECONDS: "3",
    LAKEBASE_STATUS_POLL_SECONDS: "1",
    DB_STARTUP_RETRY_MAX_SECONDS: "1",
  };
}, 60_000);

afterAll(async () => {
  w?.local.faults.clear();
  await Promise.all(lockHolders.map((h) => h.release().catch(() => undefined)));
  await Promise.all(processes.map((p) => p.stop()));
  await w?.close();
});

/**
 * Starts a replica and waits until it answers: ready (database migrated) for a first start; only alive for
 * a restart in the middle of an operation, whose database may be on its way out (a resumed delete) or not
 * there yet (a resumed create), so readiness may never come, or come only after the resume.
 */
async function start(label: string, wait: "ready" | "alive" = "ready"): Promise<ApiProcess> {
  const p = await startApiProcess(env, label);
  processes.push(p);
  await until(
    () => fetch(`${p.url}/api/${wait === "ready" ? "ready" : "health"}`).catch(() => null),
    (r) => r?.status === 200,
    60_000,
  );
  return p;
}

/** A replica whose database has come back (or been created) is ready again without a restart. */
async function ready(p: ApiProcess): Promise<void> {
  await until(
    () => fetch(`${p.url}/api/ready`).catch(() => null),
    (r) => r?.status === 200,
    60_000,
  );
}

async function exists() {
  const probe = (f: () => Promise<unknown>) =>
    f().then(
      () => true,
      (e: { statusCode?: number }) => {
        if (e.statusCode === 404) return false;
        throw e;
      },
    );
  const sdk = (await import("@lakebase-orders/lakebase-local/testing")).sdkFor(w.local);
  return {
    instance: await probe(() => sdk.database.getDatabaseInstance({ name: w.names.instanceName })),
    catalog: await probe(() => sdk.database.getDatabaseCatalog({ name: w.names.catalogName })),
    syncedTable: await probe(() => sdk.database.getSyncedDatabaseTable({ name: w.names.syncedTable })),
  };
}

/**
 * Takes the app's migration lock in its database and keeps it until `release()`, as a replica migrating
 * for a long time would: a create's last step (migrating its database) waits for it.
 */
async function holdMigrationLock(): Promise<{ release(): Promise<void> }> {
  const url = new URL(w.local.adminUrl);
  url.pathname = `/${w.local.physicalDatabase(w.names.instanceName, w.names.databaseName)}`;
  const client = new pg.Client({ connectionString: url.href });
  client.on("error", () => undefined);
  let released: Promise<void> | undefined;
  const holder = { release: () => (released ??= client.end()) };
  lockHolders.push(holder);
  await client.connect();
  await client.query("SELECT pg_advisory_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
  return holder;
}

describe("lifecycle operations across two API processes", () => {
  it("runs exactly one of a racing create and delete; the killed runner's restart resumes it", async () => {
    const [a, b] = await Promise.all([start("api-a"), start("api-b")]);
    if (!a || !b) throw new Error("no processes");
    replicas.push(a, b);
    // Slow enough that the first operation still runs when the second arrives, and when its process dies.
    w.local.faults.addLatency({ method: "GET", path: "/api/2.0/database/synced_tables/**" }, 1500);
    w.local.faults.addLatency({ method: "DELETE", path: "/api/2.0/database/catalogs/*" }, 2000);
    // A create over resources that all exist is done once it has migrated the database: with the lock held it
    // cannot end before its process is killed. (Without it, under load, it ended first and the restart found
    // nothing to resume.) A delete is held by its catalog's DELETE and drops this database: let go at once.
    const migrationLock = await holdMigrationLock();

    const create = httpClient(a.url)
      .lakebase.create.mutate({ acknowledgeCost: true })
      .then(
        () => ({ kind: "create" as const, error: null }),
        (error: unknown) => ({ kind: "create" as const, error }),
      );
    const del = httpClient(b.url)
      .lakebase.delete.mutate({ confirmName: w.names.instanceName })
      .then(
        () => ({ kind: "delete" as const, error: null }),
        (error: unknown) => ({ kind: "delete" as const, error }),
      );
    // The loser answers at once; the winner is still at work.
    const loser = await Promise.race([create, del]);
    expect(loser.error).toBeInstanceOf(TRPCClientError);
    expect((loser.error as TRPCClientError<AppRouter>).data?.code).toBe("CONFLICT");
    expect((loser.error as Error).message).toMatch(/already running in another process/);
    const runnerKind = loser.kind === "create" ? "delete" : "create";
    const runner = loser.kind === "create" ? b : a;
    const other = loser.kind === "create" ? a : b;
    if (runnerKind === "delete") await migrationLock.release();

    // The other process sees the running operation through the shared journal.
    const seen = await httpClient(other.url).lakebase.status.query();
    expect(seen.operation).toMatchObject({ kind: runnerKind, outcome: "running", actor: LOCAL_ADMIN });
    const operationId = seen.operation?.id;

    await runner.kill();
    await migrationLock.release();
    const restarted = await start(`${runner === a ? "api-a" : "api-b"}-restarted`, "alive");
    replicas.splice(replicas.indexOf(runner), 1, restarted);
    // Resumed; or, when the resources already show it done (the local Lakebase is fast), recorded so.
    const found = await restarted.waitForLog(
      (l) =>
        (l.msg === "lakebase operation resumed" ||
          l.msg === "lakebase operation settled from the resources") &&
        l.operationId === operationId,
      30_000,
    );
    expect(found).toMatchObject({ operationId, kind: runnerKind });
    w.local.faults.clear();
    const finished = await restarted.waitForLog(
      (l) =>
        (l.msg === "lakebase operation finished" ||
          l.msg === "lakebase operation settled from the resources") &&
        l.operationId === operationId,
      60_000,
    );
    expect(finished).toMatchObject({ kind: runnerKind, outcome: "succeeded" });

    if (runnerKind === "delete") {
      expect(await exists()).toEqual({ instance: false, catalog: false, syncedTable: false });
    } else {
      expect(await exists()).toEqual({ instance: true, catalog: true, syncedTable: true });
      const status = await httpClient(restarted.url).lakebase.status.query();
      expect(status.syncedTable?.detailedState).toMatch(/^SYNCED_TABLE_ONLINE/);
      expect(status.operation).toMatchObject({ id: operationId, outcome: "succeeded" });
      await ready(other);
      expect(await httpClient(other.url).orders.count.query()).toMatchObject({ totalOrders: 500 });
    }
  }, 120_000);

  it("resumes a delete whose process was killed half-way, from the journal", async () => {
    await ensureAll(true);
    const [a, b] = replicas;
    if (!a || !b) throw new Error("no processes");
    w.local.faults.addLatency({ method: "DELETE", path: "/api/2.0/database/catalogs/*" }, 3000);
    const del = httpClient(b.url)
      .lakebase.delete.mutate({ confirmName: w.names.instanceName })
      .catch((error: unknown) => error);
    const running = await until(
      () => httpClient(a.url).lakebase.status.query(),
      (st) =>
        st.operation?.kind === "delete" && st.operation.outcome === "running" && st.syncedTable === null,
    );
    await b.kill();
    expect(await del).toBeInstanceOf(TRPCClientError);
    w.local.faults.clear();
    const restarted = await start("api-b-restarted", "alive");
    replicas.splice(1, 1, restarted);
    const resumed = await restarted.waitForLog((l) => l.msg === "lakebase operation resumed", 30_000);
    expect(resumed).toMatchObject({ operationId: running.operation?.id, kind: "delete" });
    await restarted.waitForLog(
      (l) =>
        l.msg === "lakebase operation finished" &&
        l.operationId === running.operation?.id &&
        l.outcome === "succeeded",
      60_000,
    );
    expect(await exists()).toEqual({ instance: false, catalog: false, syncedTable: false });
  }, 120_000);

  it("resumes a create killed before its database existed, from the instance's tag", async () => {
    await ensureAll(false);
    const [a] = replicas;
    if (!a) throw new Error("no processes");
    // The catalog (and with it the database) is slow to come: the process dies before it exists.
    w.local.faults.addLatency({ method: "POST", path: "/api/2.0/database/catalogs" }, 2500);
    const created = await httpClient(a.url).lakebase.create.mutate({ acknowledgeCost: true });
    expect(created.resources[0]).toMatchObject({ resource: "instance", outcome: "created" });
    // The instance is up after 200 ms; the catalog call is under way when the process dies.
    await new Promise((r) => setTimeout(r, 800));
    await a.kill();
    w.local.faults.clear();
    const restarted = await start("api-a-restarted-again", "alive");
    replicas.splice(0, 1, restarted);
    const resumed = await restarted.waitForLog((l) => l.msg === "lakebase operation resumed", 30_000);
    expect(resumed).toMatchObject({ operationId: created.operationId, kind: "create" });
    await restarted.waitForLog(
      (l) =>
        l.msg === "lakebase operation finished" &&
        l.operationId === created.operationId &&
        l.outcome === "succeeded",
      60_000,
    );
    expect(await exists()).toEqual({ instance: true, catalog: true, syncedTable: true });
    await ready(restarted);
    expect(await httpClient(restarted.url).orders.count.query()).toMatchObject({ totalOrders: 500 });
  }, 120_000);
});

/** The state a test starts from, whatever the race before it chose. */
async function ensureAll(present: boolean): Promise<void> {
  const now = await exists();
  const [a] = replicas;
  if (!a) throw new Error("no processes");
  if (present && !(now.instance && now.catalog && now.syncedTable)) {
    await httpClient(a.url).lakebase.create.mutate({ acknowledgeCost: true });
  } else if (!present && (now.instance || now.catalog || now.syncedTable)) {
    await httpClient(a.url).lakebase.delete.mutate({ confirmName: w.names.instanceName });
  }
  await until(
    () => httpClient(a.url).lakebase.status.query(),
    (st) =>
      st.operation?.outcome !== "running" &&
      (present
        ? Boolean(st.syncedTable?.detailedState?.startsWith("SYNCED_TABLE_ONLINE"))
        : st.instance === null),
    60_000,
  );
}
