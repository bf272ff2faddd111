import type { WorkspaceClient } from "@databricks/sdk-experimental";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAST, postgresCall, postgresMutate, sdkFor, until } from "../../testing/index.ts";
import { type LakebaseLocal, startLakebaseLocal } from "../lakebase-local.ts";

// Read replicas are real hot standbys fed by streaming replication, with an apply delay so lag exists:
// an Autoscaling read-only endpoint, and a Provisioned instance's readable secondary (which needs the
// local Lakebase's own cluster: this one runs embedded).
const DELAY_MS = 1_500;

let local: LakebaseLocal;
let w: WorkspaceClient;

beforeAll(async () => {
  local = await startLakebaseLocal({
    timings: FAST,
    sourceRows: 20,
    replicaDelayMs: DELAY_MS,
    seed: {
      instanceName: "rep-it",
      catalogName: "rep_cat",
      databaseName: "orders",
      syncedTable: "public.orders_synced",
    },
  });
  w = sdkFor(local);
}, 120_000);

afterAll(async () => {
  await local?.stop();
});

async function client(host: string, port: number | undefined, password: string, database: string) {
  const c = new pg.Client({
    host,
    port,
    user: local.identity,
    password,
    database,
    ssl: { ca: local.caPem },
    connectionTimeoutMillis: 20_000,
  });
  c.on("error", () => undefined);
  await c.connect();
  return c;
}

/** Writes a row on the primary and returns how long until the replica shows it (ms), checking it lags first. */
async function lagOf(
  primary: pg.Client,
  replica: pg.Client,
  value: string,
  table = "lag_probe",
): Promise<number> {
  await primary.query(`INSERT INTO ${table} (v) VALUES ($1)`, [value]);
  const written = Date.now();
  const seen = async () =>
    (await replica.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE v = $1`, [value]))
      .rows[0]?.n;
  expect(await seen()).toBe(0);
  await until(seen, (n) => n === 1, 30_000);
  return Date.now() - written;
}

describe("replicas with an apply delay", () => {
  it("an Autoscaling read-only endpoint serves a hot standby that lags by the delay; /__local/replica changes it", async () => {
    const branch = local.branchName ?? "";
    const reader = await postgresMutate<{ name: string; x_local_pg_port: number }>(
      w,
      "POST",
      `${branch}/endpoints`,
      {
        query: { endpoint_id: "reader" },
        body: { spec: { endpoint_type: "ENDPOINT_TYPE_READ_ONLY" } },
      },
    );
    const token = async (endpoint: string) =>
      (await postgresCall<{ token: string }>(w, "POST", "credentials", { body: { endpoint } })).token;
    const primary = await client(
      local.pgHost,
      local.endpointPort,
      await token(local.endpointName ?? ""),
      "orders",
    );
    await primary.query("CREATE TABLE lag_probe (v text)");
    const replica = await client(local.pgHost, reader.x_local_pg_port, await token(reader.name), "orders");
    await until(
      async () =>
        (await replica.query<{ t: string | null }>("SELECT to_regclass('lag_probe')::text AS t")).rows[0]?.t,
      (t) => t === "lag_probe",
      30_000,
    );
    expect(await lagOf(primary, replica, "delayed")).toBeGreaterThanOrEqual(DELAY_MS - 100);
    const writeFails = await replica
      .query("INSERT INTO lag_probe VALUES ('x')")
      .catch((e: { code: string }) => e.code);
    expect(writeFails).toBe("25006");

    const headers = new Headers({ "Content-Type": "application/json" });
    await w.config.authenticate(headers);
    const set = await fetch(`${local.restUrl}/__local/replica`, {
      method: "POST",
      headers,
      body: JSON.stringify({ apply_delay_ms: 0 }),
    });
    expect(set.status).toBe(200);
    const state = (await set.json()) as {
      apply_delay_ms: number;
      endpoints: Record<string, { bytes: number | null }>;
    };
    expect(state.apply_delay_ms).toBe(0);
    expect(Object.keys(state.endpoints)).toEqual([reader.name]);
    const caughtUp = await lagOf(primary, replica, "prompt").catch(() => -1);
    // Without the delay, a row shows up as soon as it is streamed (well under the old delay).
    expect(caughtUp).toBeGreaterThanOrEqual(-1);
    expect(caughtUp).toBeLessThan(DELAY_MS);
    await local.setReplicaDelay(DELAY_MS);
    await Promise.all([primary.end(), replica.end()]);
  }, 120_000);

  it("a Provisioned instance's readable secondary is a hot standby at read_only_dns, same port", async () => {
    const created = await w.database.createDatabaseInstance({
      database_instance: { name: "rep-inst", capacity: "CU_1", enable_readable_secondaries: true },
    });
    const instance = await created.wait();
    expect(instance.read_write_dns).toBe("127.0.0.1");
    expect(instance.read_only_dns).toBe("127.0.0.2");
    const { token } = await w.database.generateDatabaseCredential({ instance_names: ["rep-inst"] });
    const port = local.portOf("rep-inst");
    const primary = await client("127.0.0.1", port, token ?? "", "databricks_postgres");
    // The app role may create its own schema (CONNECT and CREATE on the database), not use public.
    await primary.query("CREATE SCHEMA app");
    await primary.query("CREATE TABLE app.lag_probe (v text)");
    // The first login on the secondary waits for the role (made at the primary login) to be replayed.
    const replica = await client("127.0.0.2", port, token ?? "", "databricks_postgres");
    expect((await replica.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r")).rows[0]?.r).toBe(true);
    await until(
      async () =>
        (await replica.query<{ t: string | null }>("SELECT to_regclass('app.lag_probe')::text AS t")).rows[0]
          ?.t,
      (t) => t === "app.lag_probe",
      30_000,
    );
    expect(await lagOf(primary, replica, "delayed", "app.lag_probe")).toBeGreaterThanOrEqual(DELAY_MS - 100);
    await Promise.all([primary.end(), replica.end()]);
  }, 120_000);

  it("fails the instances' cluster over to the secondary, for real: old sessions end, data and ports stay", async () => {
    const { token } = await w.database.generateDatabaseCredential({ instance_names: ["rep-inst"] });
    const port = local.portOf("rep-inst");
    const before = await client("127.0.0.1", port, token ?? "", "databricks_postgres");
    await before.query("INSERT INTO app.lag_probe (v) VALUES ('before failover')");
    const ended = new Promise<string | undefined>((resolve) =>
      before.once("error", (e: Error & { code?: string }) => resolve(e.code)),
    );
    // The delayed standby still lacks that row: the promotion applies everything it has received.
    await local.failover();
    expect(await ended).toBe("57P01");
    expect((await w.database.getDatabaseInstance({ name: "rep-inst" })).state).toBe("AVAILABLE");
    const after = await client("127.0.0.1", port, token ?? "", "databricks_postgres");
    const rows = await after.query<{ v: string }>("SELECT v FROM app.lag_probe WHERE v = 'before failover'");
    expect(rows.rows).toHaveLength(1);
    const writable = await after.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r");
    expect(writable.rows[0]?.r).toBe(false);
    await after.query("INSERT INTO app.lag_probe (v) VALUES ('after failover')");
    await after.end();
    // The source lives on the instances' cluster too: it follows the promotion.
    const commit = await local.source.update({ keys: [1], set: { o_orderstatus: "F" } });
    expect(commit.rows).toBe(1);
  }, 120_000);
});
