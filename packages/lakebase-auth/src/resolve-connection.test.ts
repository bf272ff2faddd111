import { type Env, loadConfig } from "@lakebase-orders/config";
import { createLogger } from "@lakebase-orders/log";
import { describe, expect, it } from "vitest";
import { type ResolveDeps, resolveConnection as resolveFromConfig } from "./resolve-connection.ts";
import { isTokenProvider } from "./token-provider.ts";

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ write: (l) => lines.push(l) });
  return { lines, logger };
}

// Through the app's one configuration loader, as the server does it.
const resolveConnection = async (env: Env, deps?: ResolveDeps) => resolveFromConfig(loadConfig(env), deps);

// Paths that need no Databricks API; the SDK paths are covered against the local Lakebase.
describe("resolveConnection from the environment", () => {
  it("takes host, user and a static password from LAKEBASE_PG_URL, and logs the choice without it", async () => {
    const { lines, logger } = capture();
    const c = await resolveConnection(
      {
        LAKEBASE_PG_URL: "postgresql://app%40corp:s3cr%2Fet@db.local:6543/orders?sslmode=require",
        PGHOST: "ignored",
      },
      { logger },
    );
    expect(c).toMatchObject({
      source: "url",
      flavour: "static",
      host: "db.local",
      port: 6543,
      database: "orders",
    });
    expect(c.user).toBe("app@corp");
    expect(c.password).toBe("s3cr/et");
    // require verifies the certificate, as Databricks' own driver does (libpq's require would not).
    expect(c.ssl).toMatchObject({ rejectUnauthorized: true });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("lakebase_connection_resolved");
    expect(lines.join("\n")).not.toContain("s3cr");
  });

  it("uses the Apps-injected PG* variables with a provisioned token provider when there is no password", async () => {
    const c = await resolveConnection({
      PGHOST: "instance-x.database.cloud.databricks.com",
      PGPORT: "5432",
      PGDATABASE: "orders",
      PGUSER: "9f1c-client-id",
      PGSSLMODE: "require",
      LAKEBASE_INSTANCE_NAME: "orders-instance",
      DATABRICKS_HOST: "http://127.0.0.1:1",
      DATABRICKS_TOKEN: "dapi-test",
    });
    expect(c).toMatchObject({
      source: "pg-env",
      flavour: "provisioned",
      user: "9f1c-client-id",
      sslmode: "require",
    });
    expect(isTokenProvider(c.password)).toBe(true);
    expect(c.provider.describe()).toEqual({ flavour: "provisioned", target: "orders-instance" });
    expect(c.read).toBeUndefined();
  });

  it("picks autoscaling when LAKEBASE_ENDPOINT is set and workspace OAuth when asked", async () => {
    const base = {
      PGHOST: "h",
      PGUSER: "u",
      DATABRICKS_HOST: "http://127.0.0.1:1",
      DATABRICKS_TOKEN: "dapi-test",
    };
    const a = await resolveConnection({ ...base, LAKEBASE_ENDPOINT: "projects/p/branches/b/endpoints/e" });
    expect(a.provider.describe()).toEqual({
      flavour: "autoscaling",
      target: "projects/p/branches/b/endpoints/e",
    });
    const w = await resolveConnection({ ...base, LAKEBASE_TOKEN_SOURCE: "workspace" });
    expect(w.flavour).toBe("workspace-oauth");
  });

  it("takes the user from DATABRICKS_CLIENT_ID and a read replica from LAKEBASE_PG_READ_URL", async () => {
    const c = await resolveConnection({
      LAKEBASE_PG_URL: "postgresql://primary.local/orders",
      LAKEBASE_PG_READ_URL: "postgresql://replica.local:5433",
      LAKEBASE_INSTANCE_NAME: "i",
      DATABRICKS_CLIENT_ID: "sp-id",
      DATABRICKS_HOST: "http://127.0.0.1:1",
      DATABRICKS_TOKEN: "dapi-test",
    });
    expect(c.user).toBe("sp-id");
    expect(c.sslmode).toBe("require"); // token flavours default to TLS, as Lakebase refuses plain connections
    expect(c.read).toMatchObject({ host: "replica.local", port: 5433, database: "orders", user: "sp-id" });
    expect(c.read?.password).toBe(c.provider);
  });

  it("accepts node-postgres' sslmode=no-verify (TLS without certificate checks) and warns about it", async () => {
    const { lines, logger } = capture();
    const c = await resolveConnection(
      { LAKEBASE_PG_URL: "postgresql://u:p@h:1/db?sslmode=no-verify" },
      { logger },
    );
    expect(c.ssl).toEqual({ rejectUnauthorized: false });
    expect(lines.find((l) => l.includes("lakebase_tls_unverified"))).toContain('"level":"warn"');
  });

  it("verifies for require, verify-ca and verify-full; verify-ca skips only the host name", async () => {
    const url = (mode: string) => ({ LAKEBASE_PG_URL: `postgresql://u:p@h:1/db?sslmode=${mode}` });
    for (const mode of ["require", "verify-ca", "verify-full"]) {
      const c = await resolveConnection(url(mode));
      expect(c.ssl, mode).toMatchObject({ rejectUnauthorized: true });
      expect((c.ssl as { secureContext?: unknown }).secureContext, mode).toBeDefined();
    }
    const ca = (await resolveConnection(url("verify-ca"))).ssl as { checkServerIdentity?: () => unknown };
    const full = (await resolveConnection(url("verify-full"))).ssl as { checkServerIdentity?: () => unknown };
    expect(ca.checkServerIdentity?.()).toBeUndefined();
    expect(full.checkServerIdentity).toBeUndefined();
    for (const mode of ["disable", "allow", "prefer"])
      expect((await resolveConnection(url(mode))).ssl).toBe(false);
  });

  it("warns when tokens would travel without TLS, and names a CA file that is not a certificate", async () => {
    const { lines, logger } = capture();
    await resolveConnection(
      {
        PGHOST: "h",
        PGUSER: "u",
        PGSSLMODE: "disable",
        DATABRICKS_HOST: "http://127.0.0.1:1",
        DATABRICKS_TOKEN: "t",
      },
      { logger },
    );
    expect(lines.find((l) => l.includes("lakebase_tls_off"))).toContain('"level":"warn"');
    await expect(
      resolveConnection({ LAKEBASE_PG_URL: "postgresql://u:p@h:1/db", PGSSLROOTCERT: import.meta.filename }),
    ).rejects.toThrow(/PGSSLROOTCERT=.* holds no PEM certificate/);
    // Given in a URL, the error names the URL's setting, not a variable that was never set.
    await expect(
      resolveConnection({ LAKEBASE_PG_URL: `postgresql://u:p@h:1/db?sslrootcert=${import.meta.filename}` }),
    ).rejects.toThrow(
      /^Lakebase connection config: sslrootcert=.* in LAKEBASE_PG_URL holds no PEM certificate/,
    );
    await expect(
      resolveConnection({
        LAKEBASE_PG_URL: "postgresql://u:p@h:1/db",
        LAKEBASE_PG_READ_URL: "postgresql://u:p@r:1/db?sslrootcert=/nonexistent/ca.pem",
      }),
    ).rejects.toThrow(/sslrootcert=\/nonexistent\/ca.pem in LAKEBASE_PG_READ_URL cannot be read \(ENOENT\)/);
  });

  it.each([
    [{}, /no password and no Databricks workspace/],
    [{ PGPASSWORD: "pw" }, /no host: set LAKEBASE_PG_URL, PGHOST .* or DATABRICKS_HOST/],
    [
      { PGHOST: "h", PGUSER: "u" },
      /set DATABRICKS_HOST with credentials .* or put a password in LAKEBASE_PG_URL/,
    ],
    [{ PGHOST: "h", PGUSER: "u", PGPORT: "eighty" }, /PGPORT/],
    [{ LAKEBASE_PG_URL: "mysql://x" }, /LAKEBASE_PG_URL: must be a postgresql:/],
    [{ PGHOST: "h", PGUSER: "u", PGSSLMODE: "sometimes", LAKEBASE_INSTANCE_NAME: "i" }, /PGSSLMODE/],
    [
      { LAKEBASE_PG_URL: "postgresql://u:p@h/db", LAKEBASE_TOKEN_SOURCE: "provisioned" },
      /remove one of them/,
    ],
    [
      { PGHOST: "h", PGUSER: "u", LAKEBASE_TOKEN_SOURCE: "autoscaling" },
      /LAKEBASE_ENDPOINT: LAKEBASE_TOKEN_SOURCE=autoscaling needs/,
    ],
    [
      {
        PGHOST: "h",
        PGUSER: "u",
        LAKEBASE_TOKEN_SOURCE: "provisioned",
        LAKEBASE_ENDPOINT: "projects/p/branches/b/endpoints/e",
        LAKEBASE_INSTANCE_NAME: "i",
      },
      /contradicts LAKEBASE_ENDPOINT/,
    ],
  ])("fails fast naming the variable to set (%o)", async (env, message) => {
    await expect(resolveConnection(env)).rejects.toThrow(message);
  });
});
