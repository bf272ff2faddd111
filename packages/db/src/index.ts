export {
  type CreateDbFromEnvOptions,
  type CreateDbOptions,
  createDb,
  createDbFromEnv,
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
export { createTokenPool, endPool, type PoolRole } from "./pool.ts";
export { createReadClient, isUnreachable } from "./replica.ts";
