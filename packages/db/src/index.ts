export {
  type CreateDbFromConfigOptions,
  type CreateDbOptions,
  createDb,
  createDbFromConfig,
  type Db,
} from "./create-db.ts";
export {
  type DbPoolConfig,
  type DbPoolConfigInput,
  DEFAULT_MAX_LIFETIME_SECONDS,
  dbPoolConfigSchema,
  effectiveMaxLifetimeSeconds,
  parseDbPoolConfig,
} from "./db-config.ts";
export * from "./generated/prisma/client.ts";
export {
  DEFAULT_MIGRATIONS_DIR,
  listMigrations,
  type Migration,
  MigrationError,
  type MigrationProblem,
  migratePool,
  type RunMigrationsOptions,
  type RunMigrationsResult,
  runMigrations,
} from "./migrations.ts";
export { createTokenPool, endPool, type PoolRole } from "./pool.ts";
export { createReadClient, isUnreachable } from "./replica.ts";
