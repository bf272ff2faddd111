export {
  type CachingOptions,
  type CachingTokenProviderOptions,
  createCachingTokenProvider,
  TokenUnavailableError,
} from "./caching-token-provider.ts";
export {
  ConnectionConfigError,
  type ConnectionEnv,
  connectionEnvSchema,
  parseConnectionEnv,
  SSL_MODES,
  type SslMode,
  sslFor,
} from "./connection-env.ts";
export { type JsonLogger, jsonLineLogger, silentLogger } from "./logger.ts";
export {
  autoscalingTokenProvider,
  jwtExpiry,
  provisionedTokenProvider,
  staticTokenProvider,
  workspaceOAuthTokenProvider,
} from "./providers.ts";
export {
  type PgConnection,
  type ResolveDeps,
  type ResolvedConnection,
  resolveConnection,
} from "./resolve-connection.ts";
export { describeError, isRetryableCredentialError } from "./retryable.ts";
export {
  type Credential,
  describeSource,
  isTokenProvider,
  type TokenFlavour,
  type TokenMetrics,
  type TokenProvider,
  type TokenSourceDescription,
} from "./token-provider.ts";
export { createWorkspaceClient, type Env } from "./workspace-client.ts";
