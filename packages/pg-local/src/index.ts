export {
  type LocalPostgres,
  type LocalPostgresOptions,
  startLocalPostgres,
  stopAllLocalPostgres,
} from "./local-postgres.ts";
export { freePort, isPortFree } from "./ports.ts";
export { createTestDatabase, type TestDatabase } from "./test-database.ts";
export { withClient } from "./with-client.ts";
