import { randomBytes } from "node:crypto";
import pg from "pg";
import { type LocalPostgres, startLocalPostgres } from "./local-postgres.ts";
import { withClient } from "./with-client.ts";

/** Set by the vitest global setup: the admin URL of the one cluster a test run shares. */
export const ADMIN_URL_ENV = "PG_LOCAL_ADMIN_URL";

export interface TestDatabase {
  /** URL of a brand-new, empty database that belongs to this test file alone. */
  readonly url: string;
  readonly name: string;
  /** The cluster's admin URL (database `postgres`), for tests that create more databases. */
  readonly adminUrl: string;
  /** Drops the database (and stops the cluster if this helper had to start one). */
  drop(): Promise<void>;
}

let ownCluster: Promise<LocalPostgres> | undefined;

/**
 * An isolated database per test file: creating a database takes milliseconds where a cluster takes a
 * second, and files running in parallel never see each other's rows. Outside the vitest global setup
 * (a script, a single file run by hand) it starts a private cluster instead.
 */
export async function createTestDatabase(label = "test"): Promise<TestDatabase> {
  let adminUrl = process.env[ADMIN_URL_ENV];
  let cluster: LocalPostgres | undefined;
  if (!adminUrl) {
    ownCluster ??= startLocalPostgres({ fast: true });
    cluster = await ownCluster;
    adminUrl = cluster.url("postgres");
  }
  const name = `${label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 40)}_${randomBytes(5).toString("hex")}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    adminUrl,
    drop: async () => {
      await withClient(adminUrl, (c) =>
        c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
      );
    },
  };
}
