import type { IdentityConfig } from "@lakebase-orders/config";
import { isAllowedHost, splitHost } from "./hosts.ts";

export interface Identity {
  /** Who acts: the e-mail, else the user id, from the trusted proxy; else the local identity. */
  actor: string;
  email: string | null;
  source: "databricks-apps" | "local" | "anonymous";
}

/** What the identity of a request is decided from. */
export interface RequestOrigin {
  /** Its headers: the forwarded identity, and outside Apps its Host and Origin. */
  headers: Headers;
  /**
   * The peer's address; undefined when the socket has none (closed); null when the request did not come
   * over a network at all (`app.request` in tests): such a request is as local as loopback.
   */
  remoteAddress: string | null | undefined;
}

/** The identity configuration and the hosts a request may name (ALLOWED_HOSTS): what the rule reads. */
export type IdentityRules = IdentityConfig & { allowedHosts: readonly string[] };

export const ANONYMOUS: Identity = Object.freeze({ actor: "anonymous", email: null, source: "anonymous" });

// A proxy's header value is still bounded: it ends up in audit rows and in order history.
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[^\s@<>()[\]\\,;:"]{1,255}$/;
const USER_ID = /^[\x21-\x7e]{1,256}$/;

/**
 * The trust model. Inside Apps the proxy is the only way in and sets X-Forwarded-Email/-User: they alone say
 * who calls. Outside Apps those headers are anyone's to send, so they count only when TRUST_FORWARDED_HEADERS
 * says a proxy in front sets them, and then they alone count too: a request without a valid one is anonymous
 * (a same-host proxy connects from loopback, so loopback proves nothing there). Otherwise the local identity
 * (a developer on this machine, an admin by default) is granted only on purpose: in local development
 * (`localIdentity` is null in production), to a request from loopback that names a loopback host (or one in
 * ALLOWED_HOSTS) and, when it carries an Origin, an Origin of that same host. A page whose name was rebound
 * to 127.0.0.1, or a tunnel (ngrok, `ssh -R`) that forwards another site's requests to the port, has either
 * a foreign Host or a foreign Origin. Everyone else is anonymous.
 */
export function identityFrom(request: RequestOrigin, config: IdentityRules): Identity {
  if (config.inDatabricksApp || config.trustForwardedHeaders) {
    const emailHeader = request.headers.get("x-forwarded-email")?.trim() ?? "";
    const userHeader = request.headers.get("x-forwarded-user")?.trim() ?? "";
    const email = EMAIL.test(emailHeader) ? emailHeader : null;
    const user = USER_ID.test(userHeader) ? userHeader : null;
    const actor = email ?? user;
    return actor ? { actor, email, source: "databricks-apps" } : ANONYMOUS;
  }
  if (config.localIdentity && isOnThisMachine(request, config.allowedHosts)) {
    return { actor: config.localIdentity, email: null, source: "local" };
  }
  return ANONYMOUS;
}

/**
 * A request of this machine's own user: from loopback, to a loopback (or listed) host, and from a page of
 * that host when it says which page. In-process requests (`app.request`, no network at all) are.
 */
function isOnThisMachine(request: RequestOrigin, allowedHosts: readonly string[]): boolean {
  if (request.remoteAddress === null) return true;
  if (!isLoopback(request.remoteAddress)) return false;
  const host = request.headers.get("host");
  if (!host || !isAllowedHost(host, allowedHosts)) return false;
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  if (!URL.canParse(origin)) return false;
  const page = new URL(origin);
  const named = splitHost(host);
  // Origin "null" (a sandboxed frame, a file) parses to no host name and is refused.
  if (!named || page.hostname === "") return false;
  const defaultPort = page.protocol === "https:" ? "443" : "80";
  return page.hostname === named.name && (page.port || defaultPort) === (named.port ?? defaultPort);
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
