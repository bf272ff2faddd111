export {
  type CachingOptions,
  type CachingTokenProviderOptions,
  createCachingTokenProvider,
  TokenUnavailableError,
} from "./caching-token-provider.ts";
export { EndpointNotReadyError } from "./endpoint-lookup.ts";
export {
  autoscalingTokenProvider,
  jwtExpiry,
  provisionedTokenProvider,
  staticTokenProvider,
  workspaceOAuthTokenProvider,
} from "./providers.ts";
export {
  type ConnectionSettings,
  type PgConnection,
  type ResolveDeps,
  type ResolvedConnection,
  resolveConnection,
} from "./resolve-connection.ts";
export { describeError, isRetryableCredentialError } from "./retryable.ts";
export { ConnectionConfigError, sslFor } from "./ssl.ts";
export {
  type Credential,
  describeSource,
  isTokenProvider,
  type TokenFlavour,
  type TokenMetrics,
  type TokenProvider,
  type TokenSourceDescription,
} from "./token-provider.ts";
export { createWorkspaceClient } from "./workspace-client.ts";
