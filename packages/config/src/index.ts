export { ConfigError, type Env, LOCAL_ADMIN, loadConfig, tableName } from "./load-config.ts";
export { renderVariableTables, TABLE_END, TABLE_START, withVariableTables } from "./readme-table.ts";
export type {
  AppConfig,
  ConnectionConfig,
  DatabaseConfig,
  IdentityConfig,
  LakebaseAdminConfig,
  LakebaseNames,
  LimitsConfig,
  LogLevel,
  OrdersConfig,
  ServerConfig,
  TableName,
  TokenSource,
  WorkspaceConfig,
} from "./types.ts";
export {
  LOG_LEVELS,
  SSL_MODES,
  type SslMode,
  TOKEN_SOURCES,
  VARIABLES,
  type Variable,
  type VariableName,
} from "./variables.ts";
