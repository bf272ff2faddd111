import { type LocalPostgres, startLocalPostgres } from "./local-postgres.ts";
import { ADMIN_URL_ENV } from "./test-database.ts";

// One PostgreSQL cluster per test run (per vitest project), shared by every test file through its own
// database (see createTestDatabase). Workers inherit the URL through the environment.
let cluster: LocalPostgres | undefined;

export async function setup(): Promise<void> {
  if (process.env[ADMIN_URL_ENV]) return;
  cluster = await startLocalPostgres({ fast: true });
  process.env[ADMIN_URL_ENV] = cluster.url("postgres");
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
  delete process.env[ADMIN_URL_ENV];
}
