// The app's connection to Lakebase Autoscaling, resolved from the environment as Databricks Apps and a
// developer give it, against the local Lakebase's `postgres` API and endpoint front doors (real SDK, real
// PostgreSQL): the endpoint's host, its own credentials, and the branch's read-only endpoint for reads.

import type { WorkspaceClient } from "@databricks/sdk-experimental";
import { type Env, loadConfig } from "@lakebase-orders/config";
import { PostgresApi } from "@lakebase-orders/lakebase-api";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { createLogger } from "@lakebase-orders/log";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EndpointNotReadyError } from "./endpoint-lookup.ts";
import {
  type PgConnection,
  type ResolveDeps,
  resolveConnection as resolveFromConfig,
} from "./resolve-connection.ts";
import { ConnectionConfigError } from "./ssl.ts";
import { isTokenProvider } from "./token-provider.ts";
import { createWorkspaceClient } from "./workspace-client.ts";

let lakebase: LakebaseLocal;
let w: WorkspaceClient;
let api: PostgresApi;
const PROJECT = "auth-as";
const BRANCH = `projects/${PROJECT}/branches/production`;
const PRIMARY = `${BRANCH}/endpoints/primary`;
const READER = `${BRANCH}/endpoints/reader`;
const SP = { id: "8e2a-app-sp-as", secret: "sp-secret-as" };
const logLines: string[] = [];
const logger = createLogger({ write: (l) => logLines.push(l) });
const resolveConnection = async (env: Env, deps?: ResolveDeps) => resolveFromConfig(loadConfig(env), deps);

beforeAll(async () => {
  lakebase = await startLakebaseLocal({
    flavor: "autoscaling",
    servicePrincipals: [{ clientId: SP.id, clientSecret: SP.secret }],
    sourceRows: 40,
    timings: { instanceStartMs: 50, instanceDeleteMs: 50, pipelineStepMs: 10 },
    seed: {
      instanceName: PROJECT,
      catalogName: "auth_as",
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
  api = new PostgresApi(w);
}, 120_000);

afterAll(async () => {
  await lakebase?.stop();
});

async function count(c: PgConnection): Promise<number> {
  const password = isTokenProvider(c.password) ? await c.password.getToken() : c.password;
  const client = new pg.Client({ ...c, password });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>("select count(*)::int as n from public.orders_synced");
    return rows[0]?.n ?? -1;
  } finally {
    await client.end();
  }
}

const workspace = () => ({
  DATABRICKS_HOST: lakebase.restUrl,
  DATABRICKS_TOKEN: lakebase.workspaceToken,
  PGSSLROOTCERT: lakebase.caFile,
});

describe("resolveConnection: Lakebase Autoscaling", () => {
  it("from LAKEBASE_ENDPOINT alone: the endpoint's host and port, credentials of the endpoint, TLS verified", async () => {
    const c = await resolveConnection({ ...workspace(), LAKEBASE_ENDPOINT: PRIMARY }, { logger });
    expect(c).toMatchObject({
      source: "sdk",
      flavour: "autoscaling",
      host: "127.0.0.1",
      port: lakebase.endpointPort,
    });
    expect(c.provider.describe()).toEqual({ flavour: "autoscaling", target: PRIMARY });
    expect(c.read).toBeUndefined(); // no read-only endpoint yet
    expect(await count(c)).toBe(40);
    // Endpoint credentials carry `expire_time`: the provider knows their expiry.
    expect(c.provider.expiresAt()?.getTime()).toBeGreaterThan(Date.now());
  });

  it("as Databricks Apps binds it: a service principal, the PG* variables of a postgres resource and LAKEBASE_ENDPOINT", async () => {
    const c = await resolveConnection(
      {
        DATABRICKS_HOST: lakebase.restUrl,
        DATABRICKS_CLIENT_ID: SP.id,
        DATABRICKS_CLIENT_SECRET: SP.secret,
        PGHOST: "127.0.0.1",
        PGPORT: String(lakebase.endpointPort),
        PGDATABASE: "orders",
        PGUSER: SP.id,
        PGSSLMODE: "require",
        PGSSLROOTCERT: lakebase.caFile,
        LAKEBASE_ENDPOINT: PRIMARY,
      },
      { logger },
    );
    expect(c).toMatchObject({ source: "pg-env", flavour: "autoscaling", user: SP.id });
    expect(await count(c)).toBe(40);
  });

  it("sends reads to the branch's read-only endpoint with its own credentials, unless told none", async () => {
    await api.wait(await api.createEndpoint(BRANCH, "reader", { endpoint_type: "ENDPOINT_TYPE_READ_ONLY" }), {
      intervalMs: 25,
      timeoutMs: 60_000,
    });
    const c = await resolveConnection({ ...workspace(), LAKEBASE_ENDPOINT: PRIMARY }, { logger });
    expect(c.read).toMatchObject({ host: "127.0.0.1", port: lakebase.portOf(READER), database: "orders" });
    const readProvider = c.read?.password;
    if (!isTokenProvider(readProvider)) throw new Error("the read endpoint has no token provider");
    expect(readProvider.describe()).toEqual({ flavour: "autoscaling", target: READER });
    // The standby has the primary's rows; the primary's credential does not open the read endpoint.
    expect(await count(c.read as PgConnection)).toBe(40);
    await expect(count({ ...(c.read as PgConnection), password: c.provider })).rejects.toThrow(/password/);

    const named = await resolveConnection({
      ...workspace(),
      LAKEBASE_ENDPOINT: PRIMARY,
      LAKEBASE_READ_ENDPOINT: "reader",
    });
    expect(named.read?.port).toBe(lakebase.portOf(READER));
    const none = await resolveConnection({
      ...workspace(),
      LAKEBASE_ENDPOINT: PRIMARY,
      LAKEBASE_READ_ENDPOINT: "none",
    });
    expect(none.read).toBeUndefined();
  });

  it("a named read endpoint that does not exist leaves reads on the primary, with one warning", async () => {
    const lines: string[] = [];
    const c = await resolveConnection(
      { ...workspace(), LAKEBASE_PROJECT_ID: PROJECT, LAKEBASE_READ_ENDPOINT: "missing" },
      { logger: createLogger({ write: (l) => lines.push(l) }) },
    );
    expect(c.read).toBeUndefined();
    expect(lines.filter((l) => l.includes("lakebase_read_endpoint_unavailable"))).toHaveLength(1);
  });

  it("an endpoint that does not exist yet is not a configuration mistake (the pool looks again later)", async () => {
    const error = await resolveConnection({ ...workspace(), LAKEBASE_PROJECT_ID: "not-created-yet" }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(EndpointNotReadyError);
    expect(error).not.toBeInstanceOf(ConnectionConfigError);
  });

  it("never logged a token", async () => {
    const token = await api.generateCredential({ endpoint: PRIMARY });
    expect(logLines.join("\n")).not.toContain(token.token);
    expect(logLines.join("\n")).not.toContain(lakebase.workspaceToken);
  });
});
