import { createHash } from "node:crypto";
import type { Context } from "hono";
import { API, type RestDeps, type Route } from "./route.ts";

/** Most telemetry a client may send in one call; more is refused (413) unread. */
const TELEMETRY_MAX_BYTES = 1 << 20;

/**
 * Who the caller is (SCIM Me, with the workspace id in `x-databricks-org-id`, where AppKit reads it), the
 * OAuth M2M endpoints the SDK's `oauth-m2m` auth fetches, and a sink for clients' telemetry.
 */
export function workspaceRoutes(route: Route, deps: RestDeps): void {
  route("GET", `${API}/preview/scim/v2/Me`, (c, identity) => {
    c.header("x-databricks-org-id", deps.workspaceId);
    return scimUser(identity, deps.identities.isServicePrincipal(identity));
  });
  // AppKit posts its start-up, heartbeat and request metrics here; the service answers 200 and so do we.
  route(
    "POST",
    "/telemetry-ext",
    async (c) => {
      const length = Number(c.req.header("content-length") ?? 0);
      if (length > TELEMETRY_MAX_BYTES) {
        return c.json({ error_code: "RESOURCE_EXHAUSTED", message: "Telemetry batch too large." }, 413);
      }
      await c.req.arrayBuffer().catch(() => undefined);
      return { errors: [], numProtoSuccess: 0, numSuccess: 0 };
    },
    { auth: false },
  );
  route(
    "GET",
    "/oidc/.well-known/oauth-authorization-server",
    (c) => {
      const origin = new URL(c.req.url).origin;
      return {
        issuer: `${origin}/oidc`,
        authorization_endpoint: `${origin}/oidc/v1/authorize`,
        token_endpoint: `${origin}/oidc/v1/token`,
        grant_types_supported: ["client_credentials"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
        scopes_supported: ["all-apis"],
      };
    },
    { auth: false },
  );
  route("POST", "/oidc/v1/token", (c) => tokenEndpoint(c, deps), { auth: false });
}

async function tokenEndpoint(c: Context, deps: RestDeps): Promise<Response> {
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const field = (name: string) => (typeof form[name] === "string" ? (form[name] as string) : undefined);
  let clientId = field("client_id");
  let clientSecret = field("client_secret");
  const basic = /^Basic\s+(.+)$/i.exec(c.req.header("authorization") ?? "");
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    clientId = decodeURIComponent(decoded.slice(0, colon));
    clientSecret = decodeURIComponent(decoded.slice(colon + 1));
  }
  if (field("grant_type") !== "client_credentials") {
    return c.json(
      { error: "unsupported_grant_type", error_description: "Only client_credentials is supported." },
      400,
    );
  }
  if (!clientId || clientSecret === undefined || deps.clients.get(clientId) !== clientSecret) {
    return c.json({ error: "invalid_client", error_description: "Client authentication failed." }, 401);
  }
  const { token } = deps.tokens.issue(
    { identity: clientId, kind: "workspace", scope: "*" },
    deps.tokenTtlSeconds,
    "lbl_oauth_",
  );
  return c.json({
    access_token: token,
    token_type: "Bearer",
    expires_in: deps.tokenTtlSeconds,
    scope: field("scope") ?? "all-apis",
  });
}

function scimUser(identity: string, servicePrincipal: boolean) {
  const id = BigInt(`0x${createHash("sha256").update(identity).digest("hex").slice(0, 13)}`).toString();
  return {
    schemas: [
      "urn:ietf:params:scim:schemas:core:2.0:User",
      "urn:ietf:params:scim:schemas:extension:workspace:2.0:User",
    ],
    id,
    userName: identity,
    displayName: servicePrincipal ? identity : identity.split("@")[0],
    active: true,
    ...(servicePrincipal ? {} : { emails: [{ value: identity, type: "work", primary: true }] }),
    groups: [{ display: "users", type: "direct", value: "1", $ref: "Groups/1" }],
  };
}
