import { randomBytes } from "node:crypto";

/** What a token may be used for: REST bearer (workspace/OAuth) or only Postgres logins (database credential). */
export type TokenKind = "workspace" | "database";

export interface IssuedToken {
  identity: string;
  kind: TokenKind;
  /**
   * Where a database credential may log in: instance names (Provisioned) or endpoint names
   * (`projects/p/branches/b/endpoints/e`, Autoscaling). Workspace tokens are valid everywhere.
   */
  scope: readonly string[] | "*";
  /** epoch ms; Infinity for the configured workspace token. */
  expiresAt: number;
}

export type TokenCheck =
  | { ok: true; token: IssuedToken }
  | { ok: false; reason: "unknown_token" | "expired" | "wrong_user" | "wrong_instance" };

/**
 * Opaque random tokens held in memory: many valid at once, as on the service. They are not persisted, so a
 * restarted LakebaseLocal forgets every credential it issued (clients simply ask for a new one).
 */
export class TokenStore {
  readonly #tokens = new Map<string, IssuedToken>();
  #issued = 0;

  constructor(workspaceToken: string, identity: string) {
    this.#tokens.set(workspaceToken, {
      identity,
      kind: "workspace",
      scope: "*",
      expiresAt: Number.POSITIVE_INFINITY,
    });
  }

  get issuedCount(): number {
    return this.#issued;
  }

  issue(
    entry: Omit<IssuedToken, "expiresAt">,
    ttlSeconds: number,
    prefix: string,
  ): { token: string; expiresAt: number } {
    this.#prune();
    const token = `${prefix}${randomBytes(32).toString("base64url")}`;
    const expiresAt = Date.now() + ttlSeconds * 1000;
    this.#tokens.set(token, { ...entry, expiresAt });
    this.#issued++;
    return { token, expiresAt };
  }

  /**
   * A personal access token of `identity`: a REST bearer (and, like a workspace OAuth token, a Postgres
   * password) that does not expire. Many may be valid at once.
   */
  personal(identity: string): string {
    const token = `dapi${randomBytes(16).toString("hex")}`;
    this.#tokens.set(token, {
      identity,
      kind: "workspace",
      scope: "*",
      expiresAt: Number.POSITIVE_INFINITY,
    });
    return token;
  }

  /** The identity behind a REST bearer token, or undefined (unknown, expired or a database-only credential). */
  bearer(token: string): string | undefined {
    const found = this.#tokens.get(token);
    if (found?.kind !== "workspace" || found.expiresAt <= Date.now()) return undefined;
    return found.identity;
  }

  /**
   * Checks a Postgres login password at the front door of `target` (an instance or endpoint name, or the
   * names one door answers to): auth happens at login only, so open connections outlive the token.
   */
  checkLogin(token: string, user: string, target: string | readonly string[]): TokenCheck {
    const found = this.#tokens.get(token);
    if (!found) return { ok: false, reason: "unknown_token" };
    if (found.expiresAt <= Date.now()) return { ok: false, reason: "expired" };
    if (found.identity !== user) return { ok: false, reason: "wrong_user" };
    const targets = typeof target === "string" ? [target] : target;
    if (found.scope !== "*" && !targets.some((t) => found.scope.includes(t)))
      return { ok: false, reason: "wrong_instance" };
    return { ok: true, token: found };
  }

  // Expired tokens are kept for an hour so a late login still gets the precise refusal reason in counters.
  #prune(): void {
    if (this.#tokens.size < 10_000) return;
    const horizon = Date.now() - 3_600_000;
    for (const [token, entry] of this.#tokens) if (entry.expiresAt < horizon) this.#tokens.delete(token);
  }
}
