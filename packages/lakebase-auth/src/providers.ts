import { randomUUID } from "node:crypto";
import type { WorkspaceClient } from "@databricks/sdk-experimental";
import { PostgresApi } from "@lakebase-orders/lakebase-api";
import { type CachingOptions, createCachingTokenProvider } from "./caching-token-provider.ts";
import type { Credential, TokenMetrics, TokenProvider } from "./token-provider.ts";

/** Provisioned instance: `generateDatabaseCredential` scoped to the one instance. */
export function provisionedTokenProvider(
  w: WorkspaceClient,
  instanceName: string,
  options: CachingOptions = {},
): TokenProvider {
  return createCachingTokenProvider({
    ...options,
    source: { flavour: "provisioned", target: instanceName },
    fetchCredential: async () => {
      const credential = await w.database.generateDatabaseCredential({
        instance_names: [instanceName],
        request_id: randomUUID(),
      });
      return { token: credential.token ?? "", expiresAt: parseTime(credential.expiration_time) };
    },
  });
}

/**
 * Autoscaling endpoint: `POST /api/2.0/postgres/credentials {endpoint}` -> `{token, expire_time}` (note: not the
 * `database` API's `expiration_time`), through PostgresApi (the SDK's ApiClient: its auth, user agent and
 * ApiErrors). The token logs in at that endpoint only: a read-only endpoint needs a provider of its own.
 */
export function autoscalingTokenProvider(
  w: WorkspaceClient,
  endpoint: string,
  options: CachingOptions & { api?: PostgresApi } = {},
): TokenProvider {
  const { api = new PostgresApi(w), ...caching } = options;
  return createCachingTokenProvider({
    ...caching,
    source: { flavour: "autoscaling", target: endpoint },
    fetchCredential: async () => {
      const credential = await api.generateCredential({ endpoint });
      return { token: credential.token, expiresAt: parseTime(credential.expire_time) };
    },
  });
}

/**
 * The SDK's own workspace access token, which Lakebase also accepts. Its expiry is read from the JWT `exp`
 * claim when the token is a JWT (Databricks OAuth tokens are). Otherwise (a PAT, an opaque token) a short
 * assumed lifetime of 30 s: the SDK refreshes its OAuth token 40 s before expiry, so whatever it hands out
 * lives at least that long, and asking it again is an in-memory call while its token is valid.
 */
export function workspaceOAuthTokenProvider(w: WorkspaceClient, options: CachingOptions = {}): TokenProvider {
  return createCachingTokenProvider({
    assumedLifetimeSeconds: 30,
    ...options,
    source: { flavour: "workspace-oauth", target: w.config.host ?? "workspace" },
    fetchCredential: async (): Promise<Credential> => {
      const headers = new Headers();
      await w.config.authenticate(headers);
      const authorization = headers.get("Authorization") ?? "";
      const match = /^Bearer\s+(.+)$/i.exec(authorization);
      if (!match?.[1])
        throw new Error(`the SDK produced no bearer token (auth type ${w.config.authType ?? "default"})`);
      return { token: match[1], expiresAt: jwtExpiry(match[1]) };
    },
  });
}

/** A fixed password (plain PostgreSQL, or a URL that carries one). */
export function staticTokenProvider(password: string, target = "postgres"): TokenProvider {
  const metrics: TokenMetrics = {
    refreshes: 0,
    failures: 0,
    credentialCalls: 0,
    servedLastKnownGood: 0,
    lastRefreshMs: undefined,
    lastRefreshAt: undefined,
    lifetimeSeconds: undefined,
  };
  return {
    getToken: async () => password,
    expiresAt: () => undefined,
    metrics: () => metrics,
    start: () => undefined,
    stop: () => undefined,
    describe: () => ({ flavour: "static", target }),
  };
}

function parseTime(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function jwtExpiry(token: string): Date | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    const exp = (payload as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? new Date(exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}
