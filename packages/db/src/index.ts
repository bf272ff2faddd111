export {
  LONG_WORK_BUDGET,
  type RetryWhenLockedOptions,
  retryWhenLocked,
  type SessionBudget,
  withSessionBudget,
} from "./budget.ts";
export {
  isBusy,
  isConnectionLost,
  isLockTimeout,
  isPoolSaturated,
  isRecoveryConflict,
  isUnreachable,
  neverConnected,
  sqlState,
} from "./connection-errors.ts";
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
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_MIGRATIONS_DIR,
  listMigrations,
  MIGRATE_APPLICATION_NAME,
  MIGRATION_LOCK_KEY,
  type Migration,
  MigrationError,
  type MigrationProblem,
  migratePool,
  type RunMigrationsOptions,
  type RunMigrationsResult,
  runMigrations,
} from "./migrations.ts";
export { createTokenPool, endPool, type PoolRole } from "./pool.ts";
export { type ReadRetryOptions, retryRead } from "./read-retry.ts";
export { createReadClient } from "./replica.ts";
export { openSession } from "./session.ts";
export { splitStatements } from "./sql-statements.ts";
export {
  createUserPools,
  PermitTimeoutError,
  type UserLease,
  type UserLogin,
  type UserPools,
  type UserPoolsOptions,
  type UserPoolsStats,
} from "./user-pools/user-pools.ts";
