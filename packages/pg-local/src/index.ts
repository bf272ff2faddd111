export {
  type ClusterState,
  type LocalPostgres,
  type LocalPostgresOptions,
  type ReplicationOptions,
  type ReplicationSource,
  startLocalPostgres,
  stopAllLocalPostgres,
} from "./local-postgres.ts";
export { freePort, isPortFree } from "./ports.ts";
export * from "./replication/index.ts";
export { createTestDatabase, type TestDatabase } from "./test-database.ts";
export { withClient } from "./with-client.ts";
