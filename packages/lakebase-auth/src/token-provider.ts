export type TokenFlavour = "provisioned" | "autoscaling" | "workspace-oauth" | "static";

/** What a provider is for, safe to log: never contains the token. */
export interface TokenSourceDescription {
  readonly flavour: TokenFlavour;
  /** Instance name, endpoint path or workspace host: whatever the token is scoped to. */
  readonly target: string;
}

export interface TokenMetrics {
  /** Successful credential fetches. */
  readonly refreshes: number;
  /** Failed credential calls (each attempt, including retried ones). */
  readonly failures: number;
  /** Every call of the credential API, successful or not. */
  readonly credentialCalls: number;
  /** Times a caller got the previous token because a refresh was in flight or had failed. */
  readonly servedLastKnownGood: number;
  /** Wall time of the last successful refresh, retries included. */
  readonly lastRefreshMs: number | undefined;
  readonly lastRefreshAt: Date | undefined;
  /** Lifetime of the cached token as we count it (assumed when the issuer does not say). */
  readonly lifetimeSeconds: number | undefined;
}

export interface TokenProvider {
  /** A token valid for at least the skew margin; fetched, cached and refreshed as needed. */
  getToken(): Promise<string>;
  /** Expiry of the cached token, if known. */
  expiresAt(): Date | undefined;
  metrics(): TokenMetrics;
  /**
   * The database refused this token (28P01): if it is the cached one, it is dropped, and the next caller
   * gets a new one. (A token can be revoked or scoped away before it expires.)
   */
  discard?(token: string): void;
  /** Starts the optional background refresh (fetches at once when nothing is cached). Idempotent. */
  start(): void;
  stop(): void;
  describe(): TokenSourceDescription;
}

/** A token as the credential API returned it. `expiresAt` undefined: the lifetime is unknown. */
export interface Credential {
  readonly token: string;
  readonly expiresAt: Date | undefined;
}

export function isTokenProvider(value: unknown): value is TokenProvider {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<TokenProvider>).getToken === "function" &&
    typeof (value as Partial<TokenProvider>).describe === "function"
  );
}

export function describeSource(d: TokenSourceDescription): string {
  switch (d.flavour) {
    case "provisioned":
      return `Lakebase instance "${d.target}"`;
    case "autoscaling":
      return `Lakebase endpoint "${d.target}"`;
    case "workspace-oauth":
      return `workspace OAuth token of ${d.target}`;
    case "static":
      return `static password for ${d.target}`;
  }
}
