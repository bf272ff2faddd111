export { describeEnvFiles, ENV_FILES, type EnvFiles, readEnvFiles, withEnvFiles } from "./env-files.ts";
export { ConfigError, type Env, LOCAL_ADMIN, loadConfig, tableName } from "./load-config.ts";
export { renderVariableTables, TABLE_END, TABLE_START, withVariableTables } from "./readme-table.ts";
export type {
  AdminAuth,
  AppConfig,
  ConnectionConfig,
  DatabaseConfig,
  IdentityConfig,
  LakebaseAdminConfig,
  LakebaseFlavour,
  LakebaseNames,
  LakebaseTarget,
  LimitsConfig,
  LogLevel,
  OrdersConfig,
  OtlpProtocol,
  ServerConfig,
  TableName,
  TelemetryConfig,
  TokenSource,
  TracesSampler,
  WorkspaceConfig,
} from "./types.ts";
export { VARIABLES, type VariableName } from "./variables/catalogue.ts";
export type { Variable } from "./variables/declare.ts";
export {
  ADMIN_AUTHS,
  ENDPOINT_NAME,
  LOG_LEVELS,
  OTLP_PROTOCOLS,
  SSL_MODES,
  type SslMode,
  TOKEN_SOURCES,
  TRACES_SAMPLERS,
} from "./variables/value-types.ts";
