import { createHash } from "node:crypto";
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { LakebaseApiError, notImplemented, unauthenticated } from "./api-error.ts";
import type { Faults } from "./faults.ts";
import { faultRequestSchema } from "./faults.ts";
import {
  catalogInputSchema,
  credentialRequestSchema,
  describeZodError,
  instanceInputSchema,
  postgresCredentialRequestSchema,
  syncedTableInputSchema,
} from "./schemas.ts";
import type { LakebaseService, LogEvent } from "./service.ts";
import type { TokenStore } from "./tokens.ts";

export interface RestDeps {
  service: LakebaseService;
  tokens: TokenStore;
  faults: Faults;
  /** OAuth M2M clients: client id -> secret. */
  clients: Map<string, string>;
  tokenTtlSeconds: number;
  routeCounts: Map<string, number>;
  counters: () => unknown;
  log: (event: LogEvent) => void;
}

type Handler = (c: Context, identity: string) => unknown;

const API = "/api/2.0";

/** The Databricks REST surface the app uses, with Databricks' error bodies. */
export function createRestApp(deps: RestDeps): Hono {
  const { service, tokens, faults } = deps;
  const app = new Hono();

  const route = (method: string, path: string, handler: Handler, options: { auth?: boolean } = {}) => {
    app.on(method, path, async (c) => {
      const key = `${method} ${path}`;
      deps.routeCounts.set(key, (deps.routeCounts.get(key) ?? 0) + 1);
      try {
        const latency = faults.latencyFor(method, c.req.path);
        if (latency > 0) await new Promise((r) => setTimeout(r, latency));
        const failure = faults.takeFailure(method, c.req.path);
        if (failure === 429) {
          throw new LakebaseApiError(
            429,
            "REQUEST_LIMIT_EXCEEDED",
            "Too many requests. Please wait and retry.",
          );
        }
        if (failure === 503) {
          throw new LakebaseApiError(
            503,
            "TEMPORARILY_UNAVAILABLE",
            "The service is temporarily unavailable.",
          );
        }
        let identity = "";
        if (options.auth !== false) {
          const header = c.req.header("authorization") ?? "";
          const match = /^Bearer\s+(.+)$/i.exec(header);
          const found = match?.[1] ? tokens.bearer(match[1].trim()) : undefined;
          if (!found) {
            throw unauthenticated(
              match ? "Invalid access token." : "Missing or malformed Authorization header.",
            );
          }
          identity = found;
        }
        const result = await handler(c, identity);
        return result instanceof Response ? result : c.json(result as object);
      } catch (error) {
        return errorResponse(c, error, deps.log);
      }
    });
  };

  // ------------------------------------------------------------ identity
  route("GET", `${API}/preview/scim/v2/Me`, (_c, identity) => scimUser(identity, deps.clients.has(identity)));

  // ------------------------------------------------------------ instances
  route("POST", `${API}/database/instances`, async (c, identity) =>
    service.instances.create(parse(instanceInputSchema, await body(c)), identity),
  );
  route("GET", `${API}/database/instances`, (c) =>
    service.instances.list(c.req.query("page_size"), c.req.query("page_token")),
  );
  route("GET", `${API}/database/instances/:name`, (c) => service.instances.get(c.req.param("name") ?? ""));
  route("PATCH", `${API}/database/instances/:name`, async (c) =>
    service.instances.update(c.req.param("name") ?? "", c.req.query("update_mask"), await body(c, true)),
  );
  route("DELETE", `${API}/database/instances/:name`, (c) =>
    service.instances.delete(c.req.param("name") ?? "", c.req.query("purge")),
  );
  route("GET", `${API}/database/instances/:name/catalogs`, () => {
    throw notImplemented("Listing database catalogs is not implemented.");
  });
  route("GET", `${API}/database/instances/:name/synced_tables`, () => {
    throw notImplemented("Listing synced database tables is not implemented.");
  });

  // ------------------------------------------------------------ credentials
  route("POST", `${API}/database/credentials`, async (c, identity) => {
    const input = parse(credentialRequestSchema, await body(c));
    return service.credentials.generate(identity, input.instance_names);
  });
  route("POST", `${API}/postgres/credentials`, async (c, identity) => {
    const input = parse(postgresCredentialRequestSchema, await body(c));
    return service.credentials.generateForEndpoint(identity, input.endpoint);
  });

  // ------------------------------------------------------------ catalogs
  route("POST", `${API}/database/catalogs`, async (c) =>
    service.catalogs.create(parse(catalogInputSchema, await body(c))),
  );
  route("GET", `${API}/database/catalogs/:name`, (c) => service.catalogs.get(c.req.param("name") ?? ""));
  route("DELETE", `${API}/database/catalogs/:name`, (c) =>
    service.catalogs.delete(c.req.param("name") ?? ""),
  );
  route("PATCH", `${API}/database/catalogs/:name`, () => {
    throw notImplemented("Updating a database catalog is not implemented.");
  });

  // ------------------------------------------------------------ synced tables
  route("POST", `${API}/database/synced_tables`, async (c) =>
    service.syncedTables.create(parse(syncedTableInputSchema, await body(c))),
  );
  route("GET", `${API}/database/synced_tables/:name`, (c) =>
    service.syncedTables.get(c.req.param("name") ?? ""),
  );
  route("DELETE", `${API}/database/synced_tables/:name`, (c) =>
    // The JS SDK cannot send purge_data; the REST API takes it on the query string.
    service.syncedTables.delete(c.req.param("name") ?? "", c.req.query("purge_data") === "true"),
  );
  route("PATCH", `${API}/database/synced_tables/:name`, () => {
    throw notImplemented("Updating a synced database table is not implemented.");
  });

  // ------------------------------------------------------------ OAuth M2M (what the SDK's oauth-m2m fetches)
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

  // ------------------------------------------------------------ test hooks (not part of Databricks)
  route("POST", "/__local/faults", async (c) => {
    faults.apply(parse(faultRequestSchema, await body(c)));
    return {};
  });
  route("GET", "/__local/counters", () => deps.counters());

  app.notFound((c) =>
    c.json(
      { error_code: "ENDPOINT_NOT_FOUND", message: `No API found for '${c.req.method} ${c.req.path}'` },
      404,
    ),
  );
  return app;
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
    { identity: clientId, kind: "workspace", instances: "*" },
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

async function body(c: Context, allowEmpty = false): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") {
    if (allowEmpty) return {};
    throw new LakebaseApiError(400, "MALFORMED_REQUEST", "Request body is required.");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new LakebaseApiError(400, "MALFORMED_REQUEST", "Request body is not valid JSON.");
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new LakebaseApiError(400, "INVALID_PARAMETER_VALUE", describeZodError(result.error));
  return result.data;
}

function errorResponse(c: Context, error: unknown, log: (event: LogEvent) => void): Response {
  if (error instanceof LakebaseApiError) {
    return c.json({ error_code: error.errorCode, message: error.message }, error.status as 400);
  }
  if (error instanceof z.ZodError) {
    return c.json({ error_code: "INVALID_PARAMETER_VALUE", message: describeZodError(error) }, 400);
  }
  log({
    event: "internal_error",
    path: c.req.path,
    error: error instanceof Error ? error.message : String(error),
  });
  return c.json({ error_code: "INTERNAL_ERROR", message: "Internal error in the local Lakebase." }, 500);
}
