import type { IdentityConfig } from "@lakebase-orders/config";

export interface Identity {
  /** Who acts: the e-mail, else the user id, from the Databricks Apps proxy; else the local identity. */
  actor: string;
  email: string | null;
  source: "databricks-apps" | "local" | "anonymous";
}

/** The caller, from the Apps proxy's headers, else the configured local identity, else anonymous. */
export function identityFrom(headers: Headers, localIdentity: string | null): Identity {
  const email = headers.get("x-forwarded-email")?.trim() || null;
  const user = headers.get("x-forwarded-user")?.trim() || null;
  const actor = email ?? user;
  if (actor) return { actor, email, source: "databricks-apps" };
  if (localIdentity) return { actor: localIdentity, email: null, source: "local" };
  return { actor: "anonymous", email: null, source: "anonymous" };
}

/** The e-mail an admin check compares: the proxy's, or the local identity outside Apps. */
export function emailOf(identity: Identity): string | null {
  return identity.email ?? (identity.source === "local" ? identity.actor : null);
}

export function isAdmin(identity: Identity, config: Pick<IdentityConfig, "admins">): boolean {
  const email = emailOf(identity)?.trim().toLowerCase();
  return Boolean(email && config.admins.includes(email));
}
