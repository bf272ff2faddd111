import type { HttpBindings } from "@hono/node-server";
import type { Context, MiddlewareHandler } from "hono";
import { type Identity, type IdentityRules, identityFrom } from "./identity.ts";

export interface IdentityVars {
  identity: Identity;
}

/**
 * The peer's address from the Node server's socket; null when the request came through `app.request` (no
 * network at all, only tests do that).
 */
export function remoteAddressOf(c: Context): string | null | undefined {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  return incoming ? incoming.socket.remoteAddress : null;
}

/** Decides who calls (see identity.ts for the trust model) once per request, for every route after it. */
export function identify(config: IdentityRules): MiddlewareHandler<{ Variables: IdentityVars }> {
  const set = setIdentity(config);
  return (c, next) => {
    set(c);
    return next();
  };
}

/** What `identify` does before the route, as a plain function (the API runs it among its guards' checks). */
export function setIdentity<E extends { Variables: IdentityVars }>(
  config: IdentityRules,
): (c: Context<E>) => undefined {
  return (c) => {
    c.set(
      "identity",
      identityFrom({ headers: c.req.raw.headers, remoteAddress: remoteAddressOf(c) }, config),
    );
  };
}

/** A rate-limit key: the actor, or for anonymous callers their address (the proxy's inside Apps). */
export function callerKey<E extends { Variables: IdentityVars }>(c: Context<E>): string {
  const identity: Identity = c.get("identity");
  return identity.source === "anonymous" ? `anonymous:${remoteAddressOf(c) ?? "local"}` : identity.actor;
}
