import type { WorkspaceClient } from "@databricks/sdk-experimental";
import {
  type AppConfig,
  type ConnectionConfig,
  SSL_MODES,
  type SslMode,
  type WorkspaceConfig,
} from "@lakebase-orders/config";
import { PostgresApi } from "@lakebase-orders/lakebase-api";
import { type Logger, silentLogger } from "@lakebase-orders/log";
import type { CachingOptions } from "./caching-token-provider.ts";
import { type EndpointAddress, primaryEndpoint, readEndpoint } from "./endpoint-lookup.ts";
import {
  autoscalingTokenProvider,
  provisionedTokenProvider,
  staticTokenProvider,
  workspaceOAuthTokenProvider,
} from "./providers.ts";
import { ConnectionConfigError, isUnverified, type PgSsl, readRootCert, sslFor } from "./ssl.ts";
import type { TokenFlavour, TokenProvider } from "./token-provider.ts";
import { createWorkspaceClient } from "./workspace-client.ts";

/** One PostgreSQL endpoint: what node-postgres needs, with the password as a string or a token provider. */
export interface PgConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly sslmode: SslMode;
  readonly ssl: PgSsl;
  readonly password: string | TokenProvider;
}

export interface ResolvedConnection extends PgConnection {
  /** Where host and user came from. */
  readonly source: "url" | "pg-env" | "sdk";
  readonly flavour: TokenFlavour;
  /** Always set: the static one wraps the fixed password, so metrics and logs are uniform. */
  readonly provider: TokenProvider;
  /**
   * A readable secondary, when one is configured, the instance has one, or the Autoscaling branch has a
   * read-only endpoint (then with a token provider of its own: a credential logs in at its endpoint only).
   */
  readonly read?: PgConnection;
}

export interface ResolveDeps {
  logger?: Logger;
  /** Default: built from the workspace configuration, and only if needed. */
  workspaceClient?: WorkspaceClient;
  tokenOptions?: CachingOptions;
}

/** The two parts of the app's configuration that say how to reach Postgres. */
export type ConnectionSettings = Pick<AppConfig, "connection" | "databricks">;

/**
 * Works out how to reach Lakebase, in order: LAKEBASE_PG_URL, the Apps-injected PG* variables, then the SDK:
 * the configured target's address (Provisioned: `getDatabaseInstance` of LAKEBASE_INSTANCE_NAME; Autoscaling:
 * the endpoint's `status.hosts.host`). Without a password the password is a token provider of the configured
 * flavour (Autoscaling: credentials of the endpoint). Reads go to LAKEBASE_PG_READ_URL, else the instance's
 * `read_only_dns`, else the Autoscaling branch's read-only endpoint. Fails fast, naming the variable to set,
 * and logs the choice once (never the token).
 */
export async function resolveConnection(
  settings: ConnectionSettings,
  deps: ResolveDeps = {},
): Promise<ResolvedConnection> {
  const c = settings.connection;
  const logger = deps.logger ?? silentLogger;
  let client = deps.workspaceClient;
  const workspace = () => {
    client ??= createWorkspaceClient(requireWorkspace(settings.databricks));
    return client;
  };
  let postgresApi: PostgresApi | undefined;
  const postgres = () => {
    const timeoutSeconds = settings.databricks?.timeoutSeconds;
    postgresApi ??= new PostgresApi(workspace(), timeoutSeconds ? { timeoutMs: timeoutSeconds * 1000 } : {});
    return postgresApi;
  };
  const target = c.target;
  const tokenOptions: CachingOptions = {
    logger,
    refreshBeforeSeconds: c.refreshBeforeSeconds,
    ...deps.tokenOptions,
  };

  const primaryUrl = c.url ? new URL(c.url) : undefined;
  const staticPassword = primaryUrl
    ? decodeURIComponent(primaryUrl.password) || undefined
    : (c.pg.password ?? undefined);
  if (staticPassword !== undefined && c.tokenSource) {
    throw new ConnectionConfigError(
      `${primaryUrl ? "LAKEBASE_PG_URL carries a password" : "PGPASSWORD is set"} but LAKEBASE_TOKEN_SOURCE=${c.tokenSource} asks for tokens: remove one of them`,
    );
  }
  const flavour: TokenFlavour =
    staticPassword !== undefined ? "static" : tokenFlavour(c, settings.databricks);

  const resolveUser = async (given: string | undefined) => {
    if (given) return given;
    if (settings.databricks?.clientId) return settings.databricks.clientId;
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
  const defaultSsl: SslMode = flavour === "static" ? "disable" : "require";
  if (primaryUrl) {
    source = "url";
    host = primaryUrl.hostname;
    port = primaryUrl.port ? Number(primaryUrl.port) : 5432;
    database = decodeURIComponent(primaryUrl.pathname.slice(1)) || c.databaseName;
    userGiven = decodeURIComponent(primaryUrl.username) || undefined;
    sslmode = urlSslMode(primaryUrl, "LAKEBASE_PG_URL") ?? defaultSsl;
  } else if (c.pg.host) {
    source = "pg-env";
    host = c.pg.host;
    port = c.pg.port ?? 5432;
    database = c.pg.database ?? c.databaseName;
    userGiven = c.pg.user ?? undefined;
    sslmode = c.pg.sslmode ?? defaultSsl;
  } else {
    source = "sdk";
    if (!settings.databricks) {
      throw new ConnectionConfigError(
        "no host: set LAKEBASE_PG_URL, PGHOST (a Databricks Apps database resource sets it) or DATABRICKS_HOST (the instance LAKEBASE_INSTANCE_NAME, or the endpoint LAKEBASE_ENDPOINT, is then looked up)",
      );
    }
    if (target.flavour === "autoscaling") {
      const endpoint = await primaryEndpoint(postgres(), target);
      host = endpoint.host;
      port = c.pg.port ?? endpoint.port ?? 5432;
    } else {
      const instance = await workspace().database.getDatabaseInstance({ name: c.instanceName });
      if (!instance.read_write_dns) {
        throw new ConnectionConfigError(
          `instance "${c.instanceName}" has no read_write_dns (state ${instance.state ?? "unknown"}): wait until it is AVAILABLE`,
        );
      }
      host = instance.read_write_dns;
      readDns = instance.read_only_dns || undefined;
      port = c.pg.port ?? 5432;
    }
    database = c.databaseName;
    userGiven = c.pg.user ?? undefined;
    sslmode = c.pg.sslmode ?? "require";
  }
  const user = await resolveUser(userGiven);
  // libpq's sslrootcert in the URL, else PGSSLROOTCERT: CAs trusted besides the default and system ones.
  const urlRootCert = primaryUrl?.searchParams.get("sslrootcert");
  const rootCertFile = urlRootCert || c.pg.sslRootCert;
  const rootCert = rootCertFile
    ? readRootCert(
        rootCertFile,
        urlRootCert ? `sslrootcert=${urlRootCert} in LAKEBASE_PG_URL` : `PGSSLROOTCERT=${rootCertFile}`,
      )
    : null;

  let provider: TokenProvider;
  switch (flavour) {
    case "static":
      provider = staticTokenProvider(staticPassword ?? "", `${host}:${port}`);
      break;
    case "provisioned":
      provider = provisionedTokenProvider(workspace(), c.instanceName, tokenOptions);
      break;
    case "autoscaling":
      provider = autoscalingTokenProvider(workspace(), c.endpoint ?? "", tokenOptions);
      break;
    case "workspace-oauth":
      provider = workspaceOAuthTokenProvider(workspace(), tokenOptions);
      break;
  }
  const password = flavour === "static" ? (staticPassword ?? "") : provider;
  const primary: PgConnection = {
    host,
    port,
    database,
    user,
    sslmode,
    ssl: sslFor(sslmode, rootCert),
    password,
  };

  let read: PgConnection | undefined;
  if (c.readUrl) {
    const url = new URL(c.readUrl);
    const mode = urlSslMode(url, "LAKEBASE_PG_READ_URL") ?? sslmode;
    const readRootCertFile = url.searchParams.get("sslrootcert");
    read = {
      host: url.hostname,
      port: url.port ? Number(url.port) : port,
      database: decodeURIComponent(url.pathname.slice(1)) || database,
      user: decodeURIComponent(url.username) || user,
      sslmode: mode,
      ssl: sslFor(
        mode,
        readRootCertFile
          ? readRootCert(readRootCertFile, `sslrootcert=${readRootCertFile} in LAKEBASE_PG_READ_URL`)
          : rootCert,
      ),
      password: decodeURIComponent(url.password) || password,
    };
  } else if (readDns) {
    read = { ...primary, host: readDns };
  } else if (target.flavour === "autoscaling" && source !== "url" && settings.databricks) {
    const found = await readEndpoint(postgres(), target).catch((error: unknown) => ({
      address: null,
      reason: `the read-only endpoints could not be listed: ${error instanceof Error ? error.message : String(error)}`,
    }));
    if (found.reason)
      logger.warn("lakebase_read_endpoint_unavailable", { reason: found.reason, reads: "primary" });
    if (found.address)
      read = readEndpointConnection(primary, found.address, flavour, workspace, tokenOptions);
  }

  logger.info("lakebase_connection_resolved", {
    source,
    flavour,
    target: provider.describe().target,
    host,
    port,
    user,
    database,
    sslmode,
    read: read ? { host: read.host, port: read.port, sslmode: read.sslmode } : null,
    ...(rootCertFile && { sslRootCert: rootCertFile }),
  });
  for (const target of [primary, ...(read ? [read] : [])]) {
    if (target.sslmode === "no-verify") {
      logger.warn("lakebase_tls_unverified", {
        host: target.host,
        sslmode: target.sslmode,
        risk: "the server certificate is not checked: whoever sits in between receives the password",
      });
    } else if (isUnverified(target.sslmode) && flavour !== "static") {
      logger.warn("lakebase_tls_off", {
        host: target.host,
        sslmode: target.sslmode,
        risk: "OAuth tokens are sent unencrypted (Lakebase itself refuses plain connections)",
      });
    }
  }
  return { ...primary, source, flavour, provider, ...(read && { read }) };
}

/**
 * The connection to an Autoscaling read-only endpoint: the primary's database, user and TLS settings at the
 * endpoint's address, with credentials of that endpoint (an endpoint credential logs in nowhere else).
 */
function readEndpointConnection(
  primary: PgConnection,
  address: EndpointAddress,
  flavour: TokenFlavour,
  workspace: () => WorkspaceClient,
  tokenOptions: CachingOptions,
): PgConnection {
  return {
    ...primary,
    host: address.host,
    port: address.port ?? 5432,
    password:
      flavour === "autoscaling"
        ? autoscalingTokenProvider(workspace(), address.endpoint, tokenOptions)
        : primary.password,
  };
}

function tokenFlavour(c: ConnectionConfig, ws: WorkspaceConfig | null): Exclude<TokenFlavour, "static"> {
  if (!ws) {
    throw new ConnectionConfigError(
      "no password and no Databricks workspace to get tokens from: set DATABRICKS_HOST with credentials (tokens for LAKEBASE_INSTANCE_NAME), or put a password in LAKEBASE_PG_URL / PGPASSWORD",
    );
  }
  if (c.tokenSource === "workspace") return "workspace-oauth";
  if (c.tokenSource === "autoscaling" || c.endpoint) return "autoscaling";
  return "provisioned";
}

function requireWorkspace(ws: WorkspaceConfig | null): WorkspaceConfig {
  if (!ws) throw new ConnectionConfigError("this needs a Databricks workspace: set DATABRICKS_HOST");
  return ws;
}

function urlSslMode(url: URL, variable: string): SslMode | undefined {
  const mode = url.searchParams.get("sslmode");
  if (mode === null) return undefined;
  const known = SSL_MODES.find((m) => m === mode);
  if (!known)
    throw new ConnectionConfigError(`${variable} has sslmode=${mode}: use one of ${SSL_MODES.join(", ")}`);
  return known;
}
