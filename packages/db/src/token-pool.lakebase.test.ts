import { type Env, loadConfig } from "@lakebase-orders/config";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { createLogger } from "@lakebase-orders/log";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CreateDbFromConfigOptions, createDbFromConfig, type Db } from "./create-db.ts";

// Tokens live 6 s here: refreshed at 3 s, treated as expired at 4.5 s, connections recycled every 3 s.
const TTL_SECONDS = 6;
const INSTANCE = "pool-it";
const CREDENTIALS_ROUTE = "POST /api/2.0/database/credentials";

let lakebase: LakebaseLocal;
let cluster: TestDatabase;
const logLines: string[] = [];
const logger = createLogger({ write: (l) => logLines.push(l) });
// Through the app's one configuration loader, as the server does it.
const createDbFromEnv = (env: Env, options?: CreateDbFromConfigOptions) =>
  createDbFromConfig(loadConfig(env), options);

beforeAll(async () => {
  cluster = await createTestDatabase("token_pool");
  lakebase = await startLakebaseLocal({
    postgres: { adminUrl: cluster.adminUrl },
    tokenTtlSeconds: TTL_SECONDS,
    sourceRows: 200,
    timings: { instanceStartMs: 50, instanceDeleteMs: 50, pipelineStepMs: 10 },
    seed: {
      instanceName: INSTANCE,
      catalogName: "pool_it",
      databaseName: "orders",
      syncedTable: "public.orders_synced",
    },
  });
}, 60_000);
afterAll(async () => {
  await lakebase?.stop();
  await cluster?.drop();
});

const credentialCalls = () => lakebase.counters().routes[CREDENTIALS_ROUTE] ?? 0;
const frontDoor = () => lakebase.counters().frontDoors[INSTANCE];

/** `workers` loops of Prisma queries until `ms` have passed; every failure is kept, none is retried. */
async function load(db: Db, workers: number, ms: number) {
  const stopAt = Date.now() + ms;
  const result = { ok: 0, failed: [] as string[], pids: new Set<number>() };
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let i = 0; Date.now() < stopAt; i++) {
        try {
          if ((worker + i) % 2 === 0) {
            const rows = await db.prisma.orderSynced.findMany({
              take: 3,
              orderBy: { orderKey: "asc" },
              skip: i % 50,
            });
            if (rows.length !== 3) throw new Error(`expected 3 rows, got ${rows.length}`);
          } else {
            const [row] = await db.prisma.$queryRaw<{ pid: number }[]>`select pg_backend_pid() as pid`;
            if (row) result.pids.add(row.pid);
          }
          result.ok++;
        } catch (error) {
          result.failed.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  return result;
}

function envFor(sslmode: "disable" | "require"): Record<string, string> {
  // The Apps-injected shape (PG* + instance name); the load test below uses the SDK path instead.
  return {
    DATABRICKS_HOST: lakebase.restUrl,
    DATABRICKS_TOKEN: lakebase.workspaceToken,
    LAKEBASE_INSTANCE_NAME: INSTANCE,
    PGHOST: lakebase.pgHost,
    PGPORT: String(lakebase.pgPort),
    PGDATABASE: "orders",
    PGUSER: lakebase.identity,
    PGSSLMODE: sslmode,
    // require verifies the certificate: the local Lakebase's CA stands in for the public ones.
    PGSSLROOTCERT: lakebase.caFile,
  };
}

describe("token-injected pool against the local Lakebase", () => {
  it("serves 24 concurrent workers for 30 s over TLS while tokens expire every 6 s: zero failed queries", async () => {
    const db = await createDbFromEnv(
      {
        DATABRICKS_HOST: lakebase.restUrl,
        DATABRICKS_TOKEN: lakebase.workspaceToken,
        LAKEBASE_INSTANCE_NAME: INSTANCE,
        LAKEBASE_DATABASE_NAME: "orders",
        PGPORT: String(lakebase.pgPort),
        PGSSLROOTCERT: lakebase.caFile,
      },
      { logger, pool: { max: 8 } },
    );
    try {
      expect(db.pool.options.ssl).toMatchObject({ rejectUnauthorized: true });
      const callsBefore = credentialCalls();
      const acceptedBefore = frontDoor()?.accepted ?? 0;
      const result = await load(db, 24, 30_000);
      const calls = credentialCalls() - callsBefore;
      const logins = (frontDoor()?.accepted ?? 0) - acceptedBefore;
      console.log(
        JSON.stringify({
          test: "token-load",
          queries: result.ok,
          failed: result.failed.length,
          credentialCalls: calls,
          providerMetrics: db.provider?.metrics(),
          frontDoorLogins: logins,
          distinctBackends: result.pids.size,
          refused: frontDoor()?.refused,
        }),
      );
      expect(result.failed).toEqual([]);
      expect(result.ok).toBeGreaterThan(1000);
      // One refresh per half lifetime (3 s) over 30 s, plus the first: about 11. Bounded well below per-connection.
      expect(calls).toBeGreaterThanOrEqual(5);
      expect(calls).toBeLessThanOrEqual(20);
      expect(calls).toBeLessThan(logins);
      // Connections recycled: many more logins and backends than the pool has slots.
      expect(logins).toBeGreaterThan(3 * 8);
      expect(result.pids.size).toBeGreaterThan(8);
      expect(frontDoor()?.refused.expired ?? 0).toBe(0);
    } finally {
      await db.disconnect();
    }
  }, 90_000);

  it.each(["disable", "require"] as const)(
    "rides out a credential API outage shorter than the token's remaining life (sslmode=%s)",
    async (sslmode) => {
      const db = await createDbFromEnv(envFor(sslmode), {
        logger,
        pool: { max: 6, maxLifetimeSeconds: 1 },
        tokenOptions: { baseDelayMs: 100, maxDelayMs: 400 },
      });
      try {
        if (sslmode === "require") expect(db.pool.options.ssl).toMatchObject({ rejectUnauthorized: true });
        else expect(db.pool.options.ssl).toBe(false);
        const provider = db.provider;
        if (!provider) throw new Error("expected a token provider");
        // Start the outage just after a refresh, so the token in hand has ~4.5 s of validity left.
        const refreshes = provider.metrics().refreshes;
        await waitFor(() => provider.metrics().refreshes > refreshes, 10_000);
        const failuresBefore = provider.metrics().failures;
        const outage = (async () => {
          lakebase.faults.failNext({ method: "POST", path: "/api/2.0/database/credentials" }, 503, 10_000);
          await new Promise((r) => setTimeout(r, 3_500)); // spans the refresh point at 3 s
          lakebase.faults.clear();
        })();
        const result = await load(db, 10, 6_000);
        await outage;
        console.log(
          JSON.stringify({
            test: `outage-${sslmode}`,
            queries: result.ok,
            failed: result.failed.length,
            ...provider.metrics(),
          }),
        );
        expect(provider.metrics().failures).toBeGreaterThan(failuresBefore); // the outage was real
        expect(provider.metrics().servedLastKnownGood).toBeGreaterThan(0);
        expect(result.failed).toEqual([]);
        expect(result.pids.size).toBeGreaterThan(6); // new logins happened during the outage
      } finally {
        lakebase.faults.clear();
        await db.disconnect();
      }
    },
    30_000,
  );

  it("never logged a token", () => {
    expect(logLines.some((l) => l.includes("lakebase_token_refreshed"))).toBe(true);
    for (const line of logLines) {
      expect(line).not.toMatch(/lbl_db_/);
      expect(line).not.toContain(lakebase.workspaceToken);
    }
  });
});

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
