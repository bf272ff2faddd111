import type { Context, Hono } from "hono";
import { z } from "zod";
import { LakebaseApiError, unauthenticated } from "../api-error.ts";
import type { Faults } from "../faults.ts";
import type { Identities } from "../identity/identities.ts";
import type { TokenStore } from "../identity/tokens.ts";
import type { LakebaseService } from "../lakebase-service.ts";
import type { LogEvent } from "../state/context.ts";

export const API = "/api/2.0";

export interface RestDeps {
  service: LakebaseService;
  tokens: TokenStore;
  identities: Identities;
  faults: Faults;
  /** OAuth M2M clients: client id -> secret. */
  clients: Map<string, string>;
  tokenTtlSeconds: number;
  routeCounts: Map<string, number>;
  counters: () => unknown;
  /** This workspace's id (SCIM Me's `x-databricks-org-id`): stable for a data dir. */
  workspaceId: string;
  /** Registers a workspace user and returns a new personal access token of theirs. */
  addUser: (email: string, options: { admin?: boolean }) => string;
  log: (event: LogEvent) => void;
}

/** A route's work, given the identity behind the bearer token ("" for routes without auth). */
export type Handler = (c: Context, identity: string) => unknown;
export type Route = (method: string, path: string, handler: Handler, options?: { auth?: boolean }) => void;

/**
 * What every route shares: a call counter, injected faults, bearer-token auth, JSON out, and Databricks'
 * `{error_code, message}` body for every failure.
 */
export function routeFor(app: Hono, deps: RestDeps): Route {
  return (method, path, handler, options = {}) => {
    app.on(method, path, async (c) => {
      const key = `${method} ${path}`;
      deps.routeCounts.set(key, (deps.routeCounts.get(key) ?? 0) + 1);
      try {
        await injectFaults(deps.faults, method, c.req.path);
        const identity = options.auth === false ? "" : authenticate(c, deps.tokens);
        const result = await handler(c, identity);
        return result instanceof Response ? result : c.json(result as object);
      } catch (error) {
        return errorResponse(c, error, deps.log);
      }
    });
  };
}

async function injectFaults(faults: Faults, method: string, path: string): Promise<void> {
  const latency = faults.latencyFor(method, path);
  if (latency > 0) await new Promise((r) => setTimeout(r, latency));
  const failure = faults.takeFailure(method, path);
  if (failure === 429) {
    throw new LakebaseApiError(429, "REQUEST_LIMIT_EXCEEDED", "Too many requests. Please wait and retry.");
  }
  if (failure === 503) {
    throw new LakebaseApiError(503, "TEMPORARILY_UNAVAILABLE", "The service is temporarily unavailable.");
  }
}

function authenticate(c: Context, tokens: TokenStore): string {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  const found = match?.[1] ? tokens.bearer(match[1].trim()) : undefined;
  if (!found) {
    throw unauthenticated(match ? "Invalid access token." : "Missing or malformed Authorization header.");
  }
  return found;
}

export async function body(c: Context, allowEmpty = false): Promise<unknown> {
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

export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new LakebaseApiError(400, "INVALID_PARAMETER_VALUE", describeZodError(result.error));
  return result.data;
}

function errorResponse(c: Context, error: unknown, log: (event: LogEvent) => void): Response {
  if (error instanceof LakebaseApiError) {
    return c.json(
      {
        error_code: error.errorCode,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
      },
      error.status as 400,
    );
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

/** The first issue of a zod error as one readable line for an INVALID_PARAMETER_VALUE message. */
function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid request";
  const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  return `${where}${issue.message}`;
}
