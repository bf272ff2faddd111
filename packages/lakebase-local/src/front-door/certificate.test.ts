import { X509Certificate } from "node:crypto";
import tls from "node:tls";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Backend, eventually, GOOD_TOKEN, startBackend } from "../../testing/front-door-backend.ts";
import { createCertificateAuthority, issueServerCertificate, type TlsMaterial } from "./certificate.ts";
import { type FrontDoor, startFrontDoor } from "./index.ts";

let backend: Backend;
let ca: TlsMaterial;
let server: TlsMaterial;
let door: FrontDoor;
let strict: FrontDoor;

beforeAll(async () => {
  backend = await startBackend("fdtls");
  ca = await createCertificateAuthority();
  server = await issueServerCertificate(ca, ["127.0.0.1", "localhost", "instance-x.lakebase.local"]);
  door = await startFrontDoor({ admit: backend.admit, tls: server });
  strict = await startFrontDoor({ admit: backend.admit, tls: server, requireTls: true });
});

afterAll(async () => {
  await Promise.all([door?.close(), strict?.close()]);
  await backend?.cleanup();
});

function login(target: FrontDoor, ssl: pg.ClientConfig["ssl"], host = target.host): Promise<pg.Client> {
  const client = new pg.Client({
    host,
    port: target.port,
    user: "someone@example.com",
    database: "databricks_postgres",
    password: GOOD_TOKEN,
    ssl,
    connectionTimeoutMillis: 10_000,
  });
  client.on("error", () => undefined);
  return client.connect().then(() => client);
}

function encrypted(client: pg.Client): boolean {
  const stream = (client as unknown as { connection: { stream: unknown } }).connection.stream;
  return stream instanceof tls.TLSSocket && stream.encrypted && stream.authorized;
}

describe("the local CA", () => {
  it("is a CA, and signs a server certificate for every name and address asked for, and no other", () => {
    const authority = new X509Certificate(ca.cert);
    const leaf = new X509Certificate(server.cert);
    expect(authority.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(authority)).toBe(true);
    expect(leaf.verify(authority.publicKey)).toBe(true);
    expect(leaf.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(leaf.checkHost("localhost")).toBe("localhost");
    expect(leaf.checkHost("instance-x.lakebase.local")).toBe("instance-x.lakebase.local");
    expect(leaf.checkHost("example.com")).toBeUndefined();
    expect(leaf.checkIP("10.0.0.1")).toBeUndefined();
    expect(leaf.keyUsage).toContain("1.3.6.1.5.5.7.3.1"); // serverAuth
  });

  it("lets a client verify the front door (verify-full) by IP and by name, and only with the CA", async () => {
    for (const host of ["127.0.0.1", "localhost"]) {
      const client = await login(door, { ca: ca.cert, rejectUnauthorized: true }, host);
      expect(encrypted(client)).toBe(true);
      expect((await client.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
      await client.end();
    }
    const before = door.counters.refused.tls ?? 0;
    await expect(login(door, { rejectUnauthorized: true })).rejects.toMatchObject({
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
    await eventually(() => door.counters.refused.tls === before + 1, "a tls refusal");
    // A CA that did not sign it does not help.
    const stranger = await createCertificateAuthority("someone else");
    await expect(login(door, { ca: stranger.cert, rejectUnauthorized: true })).rejects.toThrow(/certificate/);
  });
});

describe("requireTls", () => {
  it("refuses a plain login with FATAL 28000 'connection is insecure' and counts it", async () => {
    const error = await login(strict, false).then(
      () => undefined,
      (e: unknown) => e as pg.DatabaseError,
    );
    expect(error?.code).toBe("28000");
    expect(error?.severity).toBe("FATAL");
    expect(error?.message).toBe("connection is insecure (try using `sslmode=require`)");
    expect(strict.counters.refused.tls_required).toBe(1);
    expect(backend.logins.filter((l) => l.port === strict.port)).toEqual([]);
  });

  it("admits the same login over TLS, negotiated or direct", async () => {
    for (const extra of [{}, { sslnegotiation: "direct" }]) {
      const client = new pg.Client({
        host: strict.host,
        port: strict.port,
        user: "someone@example.com",
        database: "databricks_postgres",
        password: GOOD_TOKEN,
        ssl: { ca: ca.cert, rejectUnauthorized: true },
        ...(extra as object),
      });
      await client.connect();
      expect(encrypted(client)).toBe(true);
      await client.end();
    }
    expect(strict.counters.accepted).toBe(2);
  });
});
