import type { WorkspaceClient } from "@databricks/sdk-experimental";
import { type Env, loadConfig } from "@lakebase-orders/config";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { createLogger } from "@lakebase-orders/log";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  autoscalingTokenProvider,
  provisionedTokenProvider,
  workspaceOAuthTokenProvider,
} from "./providers.ts";
import { type ResolveDeps, resolveConnection as resolveFromConfig } from "./resolve-connection.ts";
import type { TokenProvider } from "./token-provider.ts";
import { createWorkspaceClient } from "./workspace-client.ts";

// Through the real SDK against the local Lakebase: REST for the credentials, the front door for the logins.
let lakebase: LakebaseLocal;
let cluster: TestDatabase;
let w: WorkspaceClient;
const logLines: string[] = [];
const logger = createLogger({ write: (l) => logLines.push(l) });
const resolveConnection = async (env: Env, deps?: ResolveDeps) => resolveFromConfig(loadConfig(env), deps);
const issued = new Set<string>();
// A service principal, as inside Databricks Apps (client id/secret, OAuth M2M).
const SP = { id: "6f1d2c3b-app-sp", secret: "sp-secret-for-tests" };
const lakebaseEvents: { event: string; tls?: boolean }[] = [];

beforeAll(async () => {
  // Only for the admin URL of the shared test cluster; the local Lakebase makes its own databases on it.
  cluster = await createTestDatabase("lakebase_auth");
  lakebase = await startLakebaseLocal({
    postgres: { adminUrl: cluster.adminUrl },
    tokenTtlSeconds: 60,
    servicePrincipals: [{ clientId: SP.id, clientSecret: SP.secret }],
    log: (event) => lakebaseEvents.push(event as { event: string; tls?: boolean }),
    sourceRows: 50,
    timings: { instanceStartMs: 50, instanceDeleteMs: 50, pipelineStepMs: 10 },
    seed: {
      instanceName: "auth-it",
      catalogName: "auth_it",
      databaseName: "orders",
      syncedTable: "public.orders_synced",
    },
  });
  w = createWorkspaceClient({
    host: lakebase.restUrl,
    token: lakebase.workspaceToken,
    clientId: null,
    clientSecret: null,
    profile: null,
  });
}, 60_000);
afterAll(async () => {
  await lakebase?.stop();
  await cluster?.drop();
});

async function loginWith(provider: TokenProvider, ssl: boolean): Promise<number> {
  const token = await provider.getToken();
  issued.add(token);
  const client = new pg.Client({
    host: lakebase.pgHost,
    port: lakebase.pgPort,
    database: lakebase.databaseName,
    user: lakebase.identity,
    password: token,
    ssl: ssl ? { rejectUnauthorized: false } : false,
  });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>("select count(*)::int as n from public.orders_synced");
    return rows[0]?.n ?? -1;
  } finally {
    await client.end();
  }
}

describe("token providers against the local Lakebase", () => {
  it("provisioned: generateDatabaseCredential gives a token the front door accepts, with and without TLS", async () => {
    const provider = provisionedTokenProvider(w, "auth-it", { logger });
    expect(await loginWith(provider, false)).toBe(50);
    expect(await loginWith(provider, true)).toBe(50);
    expect(provider.metrics().credentialCalls).toBe(1);
    const lifetime = (provider.expiresAt()?.getTime() ?? 0) - Date.now();
    expect(lifetime).toBeGreaterThan(50_000);
    expect(lifetime).toBeLessThanOrEqual(60_000);
  });

  it("autoscaling: POST /api/2.0/postgres/credentials {endpoint} gives an accepted token", async () => {
    const before = lakebase.counters().routes["POST /api/2.0/postgres/credentials"] ?? 0;
    const provider = autoscalingTokenProvider(w, lakebase.endpointName ?? "", { logger });
    expect(await loginWith(provider, true)).toBe(50);
    expect(lakebase.counters().routes["POST /api/2.0/postgres/credentials"]).toBe(before + 1);
    expect(provider.expiresAt()).toBeInstanceOf(Date);
  });

  it("workspace OAuth: the SDK's own access token is accepted as the password", async () => {
    const provider = workspaceOAuthTokenProvider(w, { logger });
    expect(await loginWith(provider, true)).toBe(50);
    expect(await provider.getToken()).toBe(lakebase.workspaceToken);
  });

  it("rides out injected 503s and 429s on the credential API with retries", async () => {
    lakebase.faults.failNext({ method: "POST", path: "/api/2.0/database/credentials" }, 503, 2);
    lakebase.faults.failNext({ method: "POST", path: "/api/2.0/database/credentials" }, 429, 1);
    const provider = provisionedTokenProvider(w, "auth-it", { logger, baseDelayMs: 20, maxAttempts: 5 });
    expect(await loginWith(provider, false)).toBe(50);
    expect(provider.metrics().failures).toBeGreaterThanOrEqual(2);
    expect(provider.metrics().refreshes).toBe(1);
  });

  it("fails clearly, naming the instance, when the instance does not exist", async () => {
    const provider = provisionedTokenProvider(w, "no-such-instance", { logger });
    await expect(provider.getToken()).rejects.toThrow(/Lakebase instance "no-such-instance".*404/);
    expect(provider.metrics().credentialCalls).toBe(1); // a 404 is not retried
  });

  it("resolves the connection through the SDK (getDatabaseInstance, currentUser.me) and logs in over TLS", async () => {
    const lines: string[] = [];
    const c = await resolveConnection(
      {
        DATABRICKS_HOST: lakebase.restUrl,
        DATABRICKS_TOKEN: lakebase.workspaceToken,
        LAKEBASE_INSTANCE_NAME: "auth-it",
        LAKEBASE_DATABASE_NAME: "orders",
        PGPORT: String(lakebase.pgPort),
        // The certificate is verified: the local Lakebase's CA stands in for the public ones.
        PGSSLROOTCERT: lakebase.caFile,
      },
      { logger: createLogger({ write: (l) => lines.push(l) }) },
    );
    expect(c).toMatchObject({
      source: "sdk",
      flavour: "provisioned",
      host: "127.0.0.1",
      user: lakebase.identity,
    });
    expect(c.sslmode).toBe("require");
    expect(c.read).toBeUndefined(); // the seeded instance has no readable secondaries
    const client = new pg.Client({ ...c, password: await c.provider.getToken() });
    issued.add(await c.provider.getToken());
    const tlsBefore = lakebaseEvents.filter(
      (e) => e.event === "front_door_accepted" && e.tls === true,
    ).length;
    await client.connect();
    await client.query("select 1");
    await client.end();
    const tlsAfter = lakebaseEvents.filter((e) => e.event === "front_door_accepted" && e.tls === true).length;
    expect(tlsAfter).toBe(tlsBefore + 1);
    expect(lakebase.counters().frontDoors["auth-it"]?.accepted).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes("lakebase_connection_resolved"))).toHaveLength(1);
  });

  it("offers the instance's read_only_dns as the read connection when it has readable secondaries", async () => {
    await (
      await w.database.createDatabaseInstance({
        database_instance: { name: "auth-it-ro", capacity: "CU_1", enable_readable_secondaries: true },
      })
    ).wait();
    const c = await resolveConnection({
      DATABRICKS_HOST: lakebase.restUrl,
      DATABRICKS_TOKEN: lakebase.workspaceToken,
      LAKEBASE_INSTANCE_NAME: "auth-it-ro",
      PGPORT: String(lakebase.portOf("auth-it-ro")),
    });
    expect(c.read).toMatchObject({ host: "127.0.0.1", user: lakebase.identity, sslmode: "require" });
    expect(c.read?.password).toBe(c.provider);
  });

  it("Apps shape: M2M client credentials, PG* variables without a password, user = the client id", async () => {
    const env = {
      DATABRICKS_HOST: lakebase.restUrl,
      DATABRICKS_CLIENT_ID: SP.id,
      DATABRICKS_CLIENT_SECRET: SP.secret,
      PGHOST: lakebase.pgHost,
      PGPORT: String(lakebase.pgPort),
      PGDATABASE: "orders",
      PGUSER: SP.id,
      PGSSLMODE: "require",
      PGSSLROOTCERT: lakebase.caFile,
    };
    for (const extra of [{ LAKEBASE_INSTANCE_NAME: "auth-it" }, { LAKEBASE_TOKEN_SOURCE: "workspace" }]) {
      const c = await resolveConnection({ ...env, ...extra }, { logger });
      expect(c.source).toBe("pg-env");
      const token = await c.provider.getToken();
      issued.add(token);
      const client = new pg.Client({ ...c, password: token });
      await client.connect();
      const { rows } = await client.query<{ me: string }>("select current_user as me");
      await client.end();
      expect(rows[0]?.me).toBe(SP.id);
    }
    expect(lakebase.counters().routes["POST /oidc/v1/token"]).toBeGreaterThan(0);
  });

  it("never logged a token", () => {
    expect(issued.size).toBeGreaterThan(2);
    for (const token of issued) for (const line of logLines) expect(line.includes(token)).toBe(false);
  });
});
