import net from "node:net";
import { type Env, loadConfig } from "@lakebase-orders/config";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { createLogger } from "@lakebase-orders/log";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ResolvedConnection, resolveConnection } from "./resolve-connection.ts";

// The certificate check as the app makes it, against the local Lakebase's front door, whose certificate is
// issued by the Lakebase's own CA (handed out as a file, as PGSSLROOTCERT takes it).
let lakebase: LakebaseLocal;
let cluster: TestDatabase;
let ipv6Door: net.Server;
let ipv6Port: number;

beforeAll(async () => {
  cluster = await createTestDatabase("lakebase_auth_tls");
  lakebase = await startLakebaseLocal({
    postgres: { adminUrl: cluster.adminUrl },
    sourceRows: 5,
    timings: { instanceStartMs: 10, instanceDeleteMs: 10, pipelineStepMs: 10 },
    seed: {
      instanceName: "tls-it",
      catalogName: "tls_it",
      databaseName: "orders",
      syncedTable: "public.orders_synced",
    },
  });
  // The same front door at [::1], a name its certificate does not carry.
  ipv6Door = net.createServer((inbound) => {
    const outbound = net.connect(lakebase.pgPort ?? 0, lakebase.pgHost);
    inbound.pipe(outbound).pipe(inbound);
    inbound.on("error", () => outbound.destroy());
    outbound.on("error", () => inbound.destroy());
  });
  await new Promise<void>((resolve) => ipv6Door.listen(0, "::1", resolve));
  ipv6Port = (ipv6Door.address() as net.AddressInfo).port;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => ipv6Door?.close(resolve));
  await lakebase?.stop();
  await cluster?.drop();
});

async function resolve(env: Env, lines: string[] = []): Promise<ResolvedConnection> {
  const config = loadConfig({
    DATABRICKS_HOST: lakebase.restUrl,
    DATABRICKS_TOKEN: lakebase.workspaceToken,
    LAKEBASE_INSTANCE_NAME: "tls-it",
    PGHOST: lakebase.pgHost,
    PGPORT: String(lakebase.pgPort),
    PGDATABASE: "orders",
    PGUSER: lakebase.identity,
    ...env,
  });
  return resolveConnection(config, { logger: createLogger({ write: (l) => lines.push(l) }) });
}

/** Logs in with the resolved settings; says whether the server's certificate was verified. */
async function login(c: ResolvedConnection): Promise<{ rows: number; authorized: boolean }> {
  const client = new pg.Client({
    ...c,
    password: await c.provider.getToken(),
    connectionTimeoutMillis: 5000,
  });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>("select count(*)::int as n from public.orders_synced");
    const stream = (client as unknown as { connection: { stream: { authorized?: boolean } } }).connection
      .stream;
    return { rows: rows[0]?.n ?? -1, authorized: stream.authorized === true };
  } finally {
    await client.end();
  }
}

describe("TLS verified by default", () => {
  it("sslmode=require checks the certificate: the Lakebase's CA in PGSSLROOTCERT passes", async () => {
    const c = await resolve({ PGSSLMODE: "require", PGSSLROOTCERT: lakebase.caFile });
    expect(c.ssl).toMatchObject({ rejectUnauthorized: true });
    expect(await login(c)).toEqual({ rows: 5, authorized: true });
  });

  it("refuses a server whose certificate no trusted CA signed, before the token is sent", async () => {
    const c = await resolve({ PGSSLMODE: "require" });
    await expect(login(c)).rejects.toThrow(/self[- ]signed certificate|unable to verify/i);
  });

  it("verify-full checks the host name; verify-ca only the chain", async () => {
    const at = { PGHOST: "::1", PGPORT: String(ipv6Port), PGSSLROOTCERT: lakebase.caFile };
    await expect(login(await resolve({ ...at, PGSSLMODE: "verify-full" }))).rejects.toThrow(
      /Hostname\/IP does not match|altnames/i,
    );
    expect(await login(await resolve({ ...at, PGSSLMODE: "verify-ca" }))).toEqual({
      rows: 5,
      authorized: true,
    });
  });

  it("no-verify is the explicit opt-out, and says so in the log", async () => {
    const lines: string[] = [];
    const c = await resolve({ PGSSLMODE: "no-verify" }, lines);
    expect(await login(c)).toMatchObject({ rows: 5, authorized: false });
    const warning = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === "lakebase_tls_unverified");
    expect(warning).toMatchObject({ level: "warn", sslmode: "no-verify" });
  });

  it("takes libpq's sslrootcert from the URL, and names an unreadable CA file", async () => {
    const url = new URL(`postgresql://${lakebase.pgHost}:${lakebase.pgPort}/orders`);
    url.username = lakebase.identity;
    url.searchParams.set("sslmode", "verify-full");
    url.searchParams.set("sslrootcert", lakebase.caFile);
    expect(await login(await resolve({ LAKEBASE_PG_URL: url.href, PGHOST: "" }))).toMatchObject({
      authorized: true,
    });
    await expect(resolve({ PGSSLROOTCERT: "/nonexistent/ca.pem" })).rejects.toThrow(
      /PGSSLROOTCERT=\/nonexistent\/ca.pem cannot be read \(ENOENT\)/,
    );
  });
});
