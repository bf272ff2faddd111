import type { WorkspaceClient } from "@databricks/sdk-experimental";
import type { CachingOptions } from "./caching-token-provider.ts";
import {
  ConnectionConfigError,
  type ConnectionEnv,
  parseConnectionEnv,
  SSL_MODES,
  type SslMode,
  sslFor,
} from "./connection-env.ts";
import { type JsonLogger, silentLogger } from "./logger.ts";
import {
  autoscalingTokenProvider,
  provisionedTokenProvider,
  staticTokenProvider,
  workspaceOAuthTokenProvider,
} from "./providers.ts";
import type { TokenFlavour, TokenProvider } from "./token-provider.ts";
import { createWorkspaceClient, type Env } from "./workspace-client.ts";

/** One PostgreSQL endpoint: what node-postgres needs, with the password as a string or a token provider. */
export interface PgConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly sslmode: SslMode;
  readonly ssl: false | { rejectUnauthorized: boolean };
  readonly password: string | TokenProvider;
}

export interface ResolvedConnection extends PgConnection {
  /** Where host and user came from. */
  readonly source: "url" | "pg-env" | "sdk";
  readonly flavour: TokenFlavour;
  /** Always set: the static one wraps the fixed password, so metrics and logs are uniform. */
  readonly provider: TokenProvider;
  /** A readable secondary, when one is configured or the instance has one. */
  readonly read?: PgConnection;
}

export interface ResolveDeps {
  logger?: JsonLogger;
  /** Default: built from the SDK's standard variables in `env`, and only if needed. */
  workspaceClient?: WorkspaceClient;
  tokenOptions?: CachingOptions;
}

const DEFAULT_DATABASE = "databricks_postgres";

/**
 * Works out how to reach Lakebase, in order: LAKEBASE_PG_URL, the Apps-injected PG* variables, then the SDK
 * (`getDatabaseInstance`). A missing password means a token provider of the configured flavour. Fails fast,
 * naming the variable to set, and logs the choice once (never the token).
 */
export async function resolveConnection(env: Env, deps: ResolveDeps = {}): Promise<ResolvedConnection> {
  const e = parseConnectionEnv(env);
  const logger = deps.logger ?? silentLogger;
  let client = deps.workspaceClient;
  const workspace = () => {
    client ??= createWorkspaceClient(env);
    return client;
  };
  const tokenOptions: CachingOptions = {
    logger,
    ...(e.LAKEBASE_TOKEN_REFRESH_BEFORE_SECONDS !== undefined && {
      refreshBeforeSeconds: e.LAKEBASE_TOKEN_REFRESH_BEFORE_SECONDS,
    }),
    ...deps.tokenOptions,
  };

  const primaryUrl = e.LAKEBASE_PG_URL ? new URL(e.LAKEBASE_PG_URL) : undefined;
  const staticPassword = primaryUrl ? decodeURIComponent(primaryUrl.password) || undefined : e.PGPASSWORD;
  if (staticPassword !== undefined && e.LAKEBASE_TOKEN_SOURCE) {
    throw new ConnectionConfigError(
      `${primaryUrl ? "LAKEBASE_PG_URL carries a password" : "PGPASSWORD is set"} but LAKEBASE_TOKEN_SOURCE=${e.LAKEBASE_TOKEN_SOURCE} asks for tokens: remove one of them`,
    );
  }
  const flavour: TokenFlavour = staticPassword !== undefined ? "static" : tokenFlavour(e);

  const resolveUser = async (given: string | undefined) => {
    if (given) return given;
    if (e.DATABRICKS_CLIENT_ID) return e.DATABRICKS_CLIENT_ID;
    const me = await workspace().currentUser.me();
    if (!me.userName)
      throw new ConnectionConfigError("could not learn the user name from the SDK: set PGUSER");
    return me.userName;
  };

  let source: ResolvedConnection["source"];
  let host: string;
  let port: number;
  let database: string;
  let userGiven: string | undefined;
  let sslmode: SslMode;
  let readDns: string | undefined;
  if (primaryUrl) {
    source = "url";
    host = primaryUrl.hostname;
    port = primaryUrl.port ? Number(primaryUrl.port) : 5432;
    database =
      decodeURIComponent(primaryUrl.pathname.slice(1)) || e.LAKEBASE_DATABASE_NAME || DEFAULT_DATABASE;
    userGiven = decodeURIComponent(primaryUrl.username) || undefined;
    sslmode = urlSslMode(primaryUrl, "LAKEBASE_PG_URL") ?? (flavour === "static" ? "disable" : "require");
  } else if (e.PGHOST) {
    source = "pg-env";
    host = e.PGHOST;
    port = e.PGPORT ?? 5432;
    database = e.PGDATABASE ?? e.LAKEBASE_DATABASE_NAME ?? DEFAULT_DATABASE;
    userGiven = e.PGUSER;
    sslmode = e.PGSSLMODE ?? (flavour === "static" ? "disable" : "require");
  } else {
    source = "sdk";
    if (!e.LAKEBASE_INSTANCE_NAME) {
      throw new ConnectionConfigError(
        "no host: set LAKEBASE_PG_URL, PGHOST (a Databricks Apps database resource sets it) or LAKEBASE_INSTANCE_NAME",
      );
    }
    const instance = await workspace().database.getDatabaseInstance({ name: e.LAKEBASE_INSTANCE_NAME });
    if (!instance.read_write_dns) {
      throw new ConnectionConfigError(
        `instance "${e.LAKEBASE_INSTANCE_NAME}" has no read_write_dns (state ${instance.state ?? "unknown"}): wait until it is AVAILABLE`,
      );
    }
    host = instance.read_write_dns;
    readDns = instance.read_only_dns || undefined;
    port = e.PGPORT ?? 5432;
    database = e.LAKEBASE_DATABASE_NAME ?? DEFAULT_DATABASE;
    userGiven = undefined;
    sslmode = "require";
  }
  const user = await resolveUser(userGiven);

  let provider: TokenProvider;
  switch (flavour) {
    case "static":
      provider = staticTokenProvider(staticPassword ?? "", `${host}:${port}`);
      break;
    case "provisioned":
      provider = provisionedTokenProvider(
        workspace(),
        required(e.LAKEBASE_INSTANCE_NAME, "LAKEBASE_INSTANCE_NAME"),
        tokenOptions,
      );
      break;
    case "autoscaling":
      provider = autoscalingTokenProvider(
        workspace(),
        required(e.LAKEBASE_ENDPOINT, "LAKEBASE_ENDPOINT"),
        tokenOptions,
      );
      break;
    case "workspace-oauth":
      provider = workspaceOAuthTokenProvider(workspace(), tokenOptions);
      break;
  }
  const password = flavour === "static" ? (staticPassword ?? "") : provider;
  const primary: PgConnection = { host, port, database, user, sslmode, ssl: sslFor(sslmode), password };

  let read: PgConnection | undefined;
  if (e.LAKEBASE_PG_READ_URL) {
    const url = new URL(e.LAKEBASE_PG_READ_URL);
    const mode = urlSslMode(url, "LAKEBASE_PG_READ_URL") ?? sslmode;
    read = {
      host: url.hostname,
      port: url.port ? Number(url.port) : port,
      database: decodeURIComponent(url.pathname.slice(1)) || database,
      user: decodeURIComponent(url.username) || user,
      sslmode: mode,
      ssl: sslFor(mode),
      password: decodeURIComponent(url.password) || password,
    };
  } else if (readDns) {
    read = { ...primary, host: readDns };
  }

  logger.info({
    event: "lakebase_connection_resolved",
    source,
    flavour,
    target: provider.describe().target,
    host,
    port,
    user,
    database,
    sslmode,
    read: read ? { host: read.host, port: read.port, sslmode: read.sslmode } : null,
  });
  return { ...primary, source, flavour, provider, ...(read && { read }) };
}

function tokenFlavour(e: ConnectionEnv): Exclude<TokenFlavour, "static"> {
  const explicit = e.LAKEBASE_TOKEN_SOURCE;
  if (explicit === "workspace") return "workspace-oauth";
  if (explicit === "provisioned" && e.LAKEBASE_ENDPOINT) {
    throw new ConnectionConfigError(
      "LAKEBASE_TOKEN_SOURCE=provisioned contradicts LAKEBASE_ENDPOINT (autoscaling): unset one of them",
    );
  }
  if (explicit === "autoscaling" || e.LAKEBASE_ENDPOINT) {
    if (!e.LAKEBASE_ENDPOINT) {
      throw new ConnectionConfigError(
        "LAKEBASE_TOKEN_SOURCE=autoscaling needs LAKEBASE_ENDPOINT (projects/<p>/branches/<b>/endpoints/<e>)",
      );
    }
    return "autoscaling";
  }
  if (!e.LAKEBASE_INSTANCE_NAME) {
    throw new ConnectionConfigError(
      "no password and no token source: set LAKEBASE_INSTANCE_NAME (provisioned), LAKEBASE_ENDPOINT (autoscaling) or LAKEBASE_TOKEN_SOURCE=workspace, or put a password in LAKEBASE_PG_URL",
    );
  }
  return "provisioned";
}

function urlSslMode(url: URL, variable: string): SslMode | undefined {
  const mode = url.searchParams.get("sslmode");
  if (mode === null) return undefined;
  const known = SSL_MODES.find((m) => m === mode);
  if (!known)
    throw new ConnectionConfigError(`${variable} has sslmode=${mode}: use one of ${SSL_MODES.join(", ")}`);
  return known;
}

function required(value: string | undefined, variable: string): string {
  if (!value) throw new ConnectionConfigError(`set ${variable}`);
  return value;
}
