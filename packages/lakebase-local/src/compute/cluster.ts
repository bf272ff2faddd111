import { createHmac } from "node:crypto";
import { withClient } from "@lakebase-orders/pg-local";
import pg from "pg";

/**
 * Administration of the embedded PostgreSQL cluster behind every instance: physical databases and the LOGIN
 * role of each Databricks identity (synced tables' own roles are the pipelines', src/sync/ownership.ts).
 */
export class Cluster {
  #adminUrl: URL | undefined;
  #secret = "";
  /** Starts the cluster on first use (a cluster that may never be needed), then gives its admin URL. */
  readonly #start: (() => Promise<string>) | undefined;
  #starting: Promise<void> | undefined;
  readonly #roles = new Map<string, Promise<string>>();
  readonly #grants = new Map<string, Promise<void>>();

  constructor(adminUrl: string | (() => Promise<string>)) {
    if (typeof adminUrl === "string") this.#adopt(adminUrl);
    else this.#start = adminUrl;
  }

  /** Whether the cluster is there (a lazy one starts at its first query). */
  get started(): boolean {
    return this.#adminUrl !== undefined;
  }

  get adminUrl(): string {
    return this.#url().toString();
  }

  get host(): string {
    return this.#url().hostname;
  }

  get port(): number {
    return Number(this.#url().port || 5432);
  }

  url(database: string): string {
    const url = new URL(this.#url());
    url.pathname = `/${encodeURIComponent(database)}`;
    return url.toString();
  }

  async withClient<T>(database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
    if (!this.#adminUrl) await this.ready();
    return withClient(this.url(database), fn);
  }

  /** Starts a lazy cluster (once); at once for one that runs already. */
  ready(): Promise<void> {
    if (this.#adminUrl || !this.#start) return Promise.resolve();
    this.#starting ??= this.#start().then(
      (url) => this.#adopt(url),
      (error: unknown) => {
        this.#starting = undefined;
        throw error;
      },
    );
    return this.#starting;
  }

  /** After a failover: the same databases and roles, served by another server (the promoted standby). */
  repoint(adminUrl: string): void {
    this.#adopt(adminUrl);
  }

  #adopt(adminUrl: string): void {
    const url = new URL(adminUrl);
    this.#adminUrl = url;
    // Deterministic per cluster, so several LakebaseLocal sharing a cluster agree on each role's password.
    this.#secret = createHmac("sha256", "lakebase-local-roles")
      .update(decodeURIComponent(url.password))
      .digest("hex");
  }

  #url(): URL {
    if (!this.#adminUrl) throw new Error("lakebase-local: the instances' cluster has not started yet");
    return this.#adminUrl;
  }

  /** Creates the database (idempotent) and closes it to everyone but the roles granted CONNECT. */
  async createDatabase(name: string): Promise<void> {
    await this.withClient("postgres", async (c) => {
      try {
        await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } catch (error) {
        if (code(error) !== "42P04") throw error;
      }
      await c.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${pg.escapeIdentifier(name)} FROM PUBLIC`);
    });
  }

  async dropDatabase(name: string): Promise<void> {
    for (const [key] of this.#grants) if (key.endsWith(`\u0000${name}`)) this.#grants.delete(key);
    await this.withClient("postgres", async (c) => {
      const found = await c.query<{ oid: number }>("SELECT oid FROM pg_database WHERE datname = $1", [name]);
      await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      // The database's synced-table writer role (src/sync/ownership.ts) owned nothing anywhere else.
      const oid = found.rows[0]?.oid;
      if (oid !== undefined) {
        await c
          .query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(`databricks_writer_${oid}`)}`)
          .catch(() => undefined);
      }
    });
  }

  async databaseExists(name: string): Promise<boolean> {
    return this.withClient("postgres", async (c) => {
      const r = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      return (r.rowCount ?? 0) > 0;
    });
  }

  /** The internal password of an identity's role: never given out, only used by the front door upstream. */
  rolePassword(role: string): string {
    this.#url();
    return createHmac("sha256", this.#secret).update(role).digest("base64url");
  }

  /** Ensures a LOGIN role named after the identity exists with its internal password. */
  ensureLoginRole(role: string): Promise<string> {
    let pending = this.#roles.get(role);
    if (!pending) {
      pending = this.#createLoginRole(role);
      this.#roles.set(role, pending);
      pending.catch(() => this.#roles.delete(role));
    }
    return pending;
  }

  async #createLoginRole(role: string): Promise<string> {
    await this.ready();
    const password = this.rolePassword(role);
    await this.withClient("postgres", async (c) => {
      const existing = await c.query<{ rolsuper: boolean }>(
        "SELECT rolsuper FROM pg_roles WHERE rolname = $1",
        [role],
      );
      if (existing.rows[0]?.rolsuper)
        throw new Error(`lakebase-local: refusing to manage superuser role "${role}"`);
      const sql = `${pg.escapeIdentifier(role)} LOGIN PASSWORD ${pg.escapeLiteral(password)}`;
      if (existing.rowCount === 0) {
        try {
          await c.query(`CREATE ROLE ${sql}`);
          return;
        } catch (error) {
          // Another LakebaseLocal on the same cluster created it at the same moment.
          if (code(error) !== "42710" && code(error) !== "23505") throw error;
        }
      }
      // The password is deterministic, but a role left by an earlier cluster secret must be brought in line.
      await retryConcurrentUpdate(() => c.query(`ALTER ROLE ${sql}`));
    });
    return password;
  }

  /** CONNECT + CREATE on a database, like CAN_CONNECT_AND_CREATE. */
  grantDatabase(role: string, database: string): Promise<void> {
    const key = `${role}\u0000${database}`;
    let pending = this.#grants.get(key);
    if (!pending) {
      pending = this.withClient("postgres", (c) =>
        retryConcurrentUpdate(() =>
          c.query(
            `GRANT CONNECT, CREATE, TEMPORARY ON DATABASE ${pg.escapeIdentifier(database)} TO ${pg.escapeIdentifier(role)}`,
          ),
        ),
      ).then(() => undefined);
      this.#grants.set(key, pending);
      pending.catch(() => this.#grants.delete(key));
    }
    return pending;
  }
}

export function code(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

// Concurrent GRANT/ALTER on one catalog row fails with "tuple concurrently updated" (XX000); a retry succeeds.
async function retryConcurrentUpdate<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= 5 || !/concurrently/.test((error as Error).message)) throw error;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}
