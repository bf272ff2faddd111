import type { IdentityConfig } from "@lakebase-orders/config";

export interface Identity {
  /** Who acts: the e-mail, else the user id, from the trusted proxy; else the local identity. */
  actor: string;
  email: string | null;
  source: "databricks-apps" | "local" | "anonymous";
}

/** What the identity of a request is decided from. */
export interface RequestOrigin {
  headers: Headers;
  /**
   * The peer's address; undefined when the socket has none (closed); null when the request did not come
   * over a network at all (`app.request` in tests): such a request is as local as loopback.
   */
  remoteAddress: string | null | undefined;
}

export const ANONYMOUS: Identity = Object.freeze({ actor: "anonymous", email: null, source: "anonymous" });

// A proxy's header value is still bounded: it ends up in audit rows and in order history.
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[^\s@<>()[\]\\,;:"]{1,255}$/;
const USER_ID = /^[\x21-\x7e]{1,256}$/;

/**
 * The trust model. Inside Databricks Apps the proxy is the only way in and sets X-Forwarded-Email/-User:
 * they alone say who calls. Outside Apps those headers are anyone's to send, so they count only when
 * TRUST_FORWARDED_HEADERS says a proxy in front sets them; the local identity (a developer on this machine)
 * applies only to requests from loopback; everyone else is anonymous.
 */
export function identityFrom(request: RequestOrigin, config: IdentityConfig): Identity {
  if (config.inDatabricksApp || config.trustForwardedHeaders) {
    const emailHeader = request.headers.get("x-forwarded-email")?.trim() ?? "";
    const userHeader = request.headers.get("x-forwarded-user")?.trim() ?? "";
    const email = EMAIL.test(emailHeader) ? emailHeader : null;
    const user = USER_ID.test(userHeader) ? userHeader : null;
    const actor = email ?? user;
    if (actor) return { actor, email, source: "databricks-apps" };
  }
  if (!config.inDatabricksApp && config.localIdentity && isLoopback(request.remoteAddress)) {
    return { actor: config.localIdentity, email: null, source: "local" };
  }
  return ANONYMOUS;
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms; null (no network at all) too. */
export function isLoopback(address: string | null | undefined): boolean {
  if (address === null) return true;
  if (!address) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

/** The e-mail an admin check compares: the proxy's, or the local identity outside Apps. */
export function emailOf(identity: Identity): string | null {
  return identity.email ?? (identity.source === "local" ? identity.actor : null);
}

export function isAdmin(identity: Identity, config: Pick<IdentityConfig, "admins">): boolean {
  const email = emailOf(identity)?.trim().toLowerCase();
  return Boolean(email && config.admins.includes(email));
}

/** Signed in, and in ORDER_STATUS_WRITERS when that list is set. */
export function canChangeStatus(
  identity: Identity,
  config: Pick<IdentityConfig, "statusWriters">,
): "yes" | "anonymous" | "not-listed" {
  if (identity.source === "anonymous") return "anonymous";
  if (!config.statusWriters) return "yes";
  const email = emailOf(identity)?.toLowerCase();
  return email && config.statusWriters.includes(email) ? "yes" : "not-listed";
}
