import { callTRPCProcedure, getErrorShape, getTRPCErrorFromUnknown } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { appRouter } from "../../routers/app-router.ts";
import type { AppServices } from "../../start/services.ts";
import type { ApiVars } from "../api-vars.ts";
import { procedureContext } from "./procedure-context.ts";
import { errorHeaders, reportProcedureError } from "./procedure-errors.ts";

/** Every query of the router (read from it, so a new one is never left out). */
const QUERIES: ReadonlySet<string> = new Set(
  // At run time the router's procedures are a flat record by full path (its type is the nested one).
  Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
    .filter(([, procedure]) => procedure._def.type === "query")
    .map(([path]) => path),
);

// What tRPC's fetch adapter sends with a successful single query.
const HEADERS = { "content-type": "application/json", vary: "trpc-accept, accept" };

/**
 * The reads without tRPC's fetch adapter: a single (unbatched) GET of a query is called
 * through the same router (input validation, middlewares, context) and answered with the same bytes tRPC
 * would send, minus the Fetch Request/Response objects the adapter builds per call (measured: they cost
 * about as much as the rest of the request). A failure is answered here too, as the adapter would (its error
 * shape through the router's formatter, its status, `Retry-After`, the same log lines), so a procedure runs
 * once per request whatever it answers. Batches, mutations, anything else go to the tRPC handler registered
 * after this one.
 */
export function directQueries(services: AppServices): MiddlewareHandler<{ Variables: ApiVars }> {
  return async (c, next) => {
    const url = c.req.url;
    const start = url.indexOf("/api/trpc/") + "/api/trpc/".length;
    const q = url.indexOf("?", start);
    const path = url.slice(start, q < 0 ? undefined : q);
    if (!QUERIES.has(path)) return next();
    const query = q < 0 ? "" : url.slice(q + 1);
    // Only `?input=...` (what the tRPC client sends for one query); anything else is tRPC's to parse.
    if (query !== "" && (!query.startsWith("input=") || query.includes("&"))) return next();
    let input: unknown;
    try {
      // As URLSearchParams decodes it: "+" is a space.
      input =
        query === ""
          ? undefined
          : JSON.parse(decodeURIComponent(query.slice("input=".length).replaceAll("+", " ")));
    } catch {
      return next();
    }
    const ctx = procedureContext(c, services);
    let data: unknown;
    try {
      data = await callTRPCProcedure({
        router: appRouter,
        path,
        getRawInput: async () => input,
        ctx,
        type: "query",
        signal: undefined,
        batchIndex: 0,
      });
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      reportProcedureError(c.get("procedureErrors"), ctx.logger, error, path);
      const shape = getErrorShape({ config: appRouter._def._config, ctx, error, input, path, type: "query" });
      return c.body(
        JSON.stringify({ error: shape }),
        getHTTPStatusCodeFromError(error) as ContentfulStatusCode,
        { ...HEADERS, ...errorHeaders([error]) },
      );
    }
    return c.body(JSON.stringify({ result: { data } }), 200, HEADERS);
  };
}
