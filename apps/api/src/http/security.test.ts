import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  appsModeEnv,
  type ProbeResult,
  runProbes,
  startTestServer,
  type TestServer,
} from "@lakebase-orders/api/testing";
import { LOCAL_ADMIN, loadConfig } from "@lakebase-orders/config";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { patchInstance, sdkFor, until } from "@lakebase-orders/lakebase-local/testing";
import { createLogger } from "@lakebase-orders/log";
import { type LocalPostgres, startLocalPostgres, withClient } from "@lakebase-orders/pg-local";
import { createOrderIndexes, loadOrders } from "@lakebase-orders/tpch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../start/server.ts";

// Issue #14's probes, as an attacker sends them, against the server as `run()` starts it (real sockets, so
// real peer addresses): once as Databricks Apps runs it, once as a developer runs it outside Apps.

const ADMIN = "admin@example.com";
const USER = "analyst@example.com";
const SP = { clientId: "5e0b7a1c-3d2f-4e8a-9b6c-1f2e3d4c5b6a", clientSecret: "security-test-secret" };
/** This machine's address on its network (not loopback): how a neighbour reaches a server. */
const LAN = Object.values(os.networkInterfaces())
  .flat()
  .find((i) => i?.family === "IPv4" && !i.internal)?.address;
const quiet = () => createLogger({ level: "error" });

/** The probes every mode answers, and those only a mode has. */
const COMMON = [
  "cross-site-form-stop",
  "cross-site-text-post",
  "cross-site-json-origin-only",
  "cross-site-get",
  "form-no-origin",
  "batch-200-counts",
  "body-1mb",
  "year-zero",
  "bad-escape",
  "bad-json-query",
  "bad-json-body",
  "anonymous-write",
  "request-id",
  "status-leaks",
  "progress-leaks",
  "ready-leak",
  "bad-input-db-down",
  "rate-limit-reads",
  "rate-limit-writes",
  // Issue #26.
  "export-parallel",
  "export-abandoned",
  "export-rate-limit",
  "body-20mb-expect",
  "body-20mb-upload",
  "path-12kb",
  "history-emails",
  "view-owner-email",
  "sse-streams",
  "csv-formula-hidden",
];

/** What the probes need of the database the app reads: its export backends, a lock, a comment. */
function databaseTools(url: () => string, table: string) {
  const exportBackends = () =>
    withClient(url(), async (c) => {
      const { rows } = await c.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'COPY (SELECT%' AND datname = current_database()",
      );
      return rows[0]?.n ?? 0;
    });
  // A lock the export's query waits behind: database work that has not sent a byte, like a long sort.
  const holdExports = async () => {
    const pg = await import("pg");
    const client = new pg.default.Client({ connectionString: url() });
    await client.connect();
    await client.query("BEGIN");
    await client.query("LOCK TABLE app_data.order_status IN ACCESS EXCLUSIVE MODE");
    return async () => {
      await client.query("ROLLBACK");
      await client.end();
    };
  };
  const setComment = (orderKey: number, comment: string) =>
    withClient(url(), async (c) => {
      await c.query(`UPDATE ${table} SET o_comment = $1 WHERE o_orderkey = $2`, [comment, orderKey]);
    });
  return { exportBackends, holdExports, setComment };
}

function expectSafe(results: ProbeResult[], id: string) {
  const r = results.find((p) => p.id === id);
  expect(r, `probe ${id} ran`).toBeDefined();
  expect(r?.safe, `${id}: ${r?.answer} ${r?.detail}`).toBe(true);
}

describe("in Databricks Apps mode (identity from the proxy, Lakebase configured)", () => {
  const names = {
    instanceName: "sec-apps",
    catalogName: "sec_catalog",
    databaseName: "orders",
    syncedTable: "sec_catalog.public.orders_synced",
  };
  let lakebase: LakebaseLocal;
  let server: TestServer;
  let results: ProbeResult[] = [];

  beforeAll(async () => {
    const adminUrl = process.env.PG_LOCAL_ADMIN_URL;
    lakebase = await startLakebaseLocal({
      ...(adminUrl ? { postgres: { adminUrl } } : {}),
      servicePrincipals: [SP],
      timings: { instanceStartMs: 0, instanceDeleteMs: 0, pipelineStepMs: 0 },
      sourceRows: 2000,
      seed: names,
    });
    server = await startTestServer(
      loadConfig({
        ...appsModeEnv({ lakebase, names, servicePrincipal: SP, admin: ADMIN }),
        PGHOST: lakebase.pgHost,
      }),
      { logLevel: "error", lakebase: { pollIntervalMs: 50, statusCacheMs: 20 } },
    );
    // The server listens first and migrates in the background: probe once it is ready.
    await server.services.readiness.whenReady();
    const auditUrl = new URL(lakebase.adminUrl);
    auditUrl.pathname = `/${lakebase.physicalDatabase(names.instanceName, names.databaseName)}`;
    const sdk = sdkFor(lakebase);
    const setStopped = async (stopped: boolean) => {
      await patchInstance(sdk, names.instanceName, "stopped", { stopped });
      await until(
        () => sdk.database.getDatabaseInstance({ name: names.instanceName }),
        (i) => i.state === (stopped ? "STOPPED" : "AVAILABLE"),
      );
    };
    results = await runProbes({
      url: server.url,
      mode: "apps",
      admin: ADMIN,
      user: USER,
      lakebaseConfigured: true,
      fuzzCount: 0,
      ...databaseTools(() => auditUrl.href, "public.orders_synced"),
      auditInputBytes: (requestId) =>
        withClient(auditUrl.href, async (c) => {
          const { rows } = await c.query<{ n: number | null }>(
            "SELECT octet_length(input::text) AS n FROM app_data.admin_audit WHERE request_id = $1",
            [requestId],
          );
          return rows.length > 0 ? (rows[0]?.n ?? 0) : null;
        }),
      breakDatabase: async () => {
        await setStopped(true);
        return () => setStopped(false);
      },
    });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await lakebase?.stop();
  });

  it.each([...COMMON, "audit-unbounded", "export-anonymous"])("probe %s gets the safe answer", (id) =>
    expectSafe(results, id),
  );

  it("still shows admins everything: the instance DNS and who ran the last operation", async () => {
    const res = await fetch(`${server.url}/api/trpc/lakebase.status`, {
      headers: { "X-Forwarded-Email": ADMIN },
    });
    const status = (
      (await res.json()) as { result: { data: Record<string, { readWriteDns?: string; actor?: string }> } }
    ).result.data;
    expect(status.instance?.readWriteDns).toBe(lakebase.pgHost);
    expect(status.operation?.actor).toBe(ADMIN);
  });
});

describe("outside Databricks Apps (a developer's machine)", () => {
  let dataDir: string;
  let postgres: LocalPostgres;
  let pgPort: number;
  let results: ProbeResult[] = [];
  let defaultHostPort: number;
  let defaultHost: RunningServer;
  let everywhere: RunningServer;
  let production: RunningServer;
  let trusting: RunningServer;

  beforeAll(async () => {
    // A private cluster: the readiness probe stops it, which the shared one must never see.
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "api-security-test-"));
    postgres = await startLocalPostgres({ dataDir, fast: true });
    pgPort = Number(new URL(postgres.url()).port);
    await withClient(postgres.url(), async (c) => {
      await loadOrders(c, { rows: 2000, seed: 14 });
      await createOrderIndexes(c);
    });
    const env = { LAKEBASE_PG_URL: postgres.url(), PORT: "0" };
    // As `pnpm start` runs it, HOST unset: only this machine may connect.
    defaultHost = await startServer(loadConfig(env), { logger: quiet() });
    await defaultHost.services.readiness.whenReady();
    defaultHostPort = defaultHost.port;
    // And as someone who widened it with HOST=0.0.0.0: the network reaches it, but only as nobody.
    everywhere = await startServer(loadConfig({ ...env, HOST: "0.0.0.0" }), { logger: quiet() });
    await everywhere.services.readiness.whenReady();
    // As `pnpm start` builds it (no local admin there), and behind a same-host proxy that names its callers.
    production = await startServer(loadConfig({ ...env, NODE_ENV: "production" }), { logger: quiet() });
    trusting = await startServer(loadConfig({ ...env, TRUST_FORWARDED_HEADERS: "true" }), {
      logger: quiet(),
    });
    await Promise.all([production.services.readiness.whenReady(), trusting.services.readiness.whenReady()]);
    results = await runProbes({
      url: `http://127.0.0.1:${everywhere.port}`,
      lanUrl: LAN ? `http://${LAN}:${everywhere.port}` : null,
      mode: "local",
      admin: LOCAL_ADMIN,
      user: USER,
      lakebaseConfigured: false,
      fuzzCount: 0,
      productionUrl: production.url,
      trustingUrl: trusting.url,
      ...databaseTools(() => postgres.url(), "public.orders_synced"),
      breakDatabase: async () => {
        await postgres.stop();
        return async () => {
          postgres = await startLocalPostgres({ dataDir, port: pgPort, fast: true });
        };
      },
    });
  }, 120_000);

  afterAll(async () => {
    await everywhere?.close();
    await defaultHost?.close();
    await production?.close();
    await trusting?.close();
    await postgres?.stop();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  it.each([
    ...COMMON,
    "loopback-local-identity",
    "rebinding-read",
    "rebinding-stop",
    "tunnel-stop",
    "tunnel-rewritten-host",
    "production-loopback",
    "forged-no-email",
    "forged-empty-email",
    "forged-malformed-email",
  ])("probe %s gets the safe answer", (id) => expectSafe(results, id));

  it.skipIf(!LAN).each(["lan-no-headers", "lan-spoofed-email", "lan-admin-mutation"])(
    "probe %s gets the safe answer",
    (id) => expectSafe(results, id),
  );

  it.skipIf(!LAN)("listens on loopback only unless HOST says otherwise", async () => {
    expect(defaultHost.url).toBe(`http://127.0.0.1:${defaultHostPort}`);
    expect((await fetch(`${defaultHost.url}/api/health`)).status).toBe(200);
    const error = await fetch(`http://${LAN}:${defaultHostPort}/api/health`).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(((error as Error).cause as { code?: string }).code).toBe("ECONNREFUSED");
  });
});
