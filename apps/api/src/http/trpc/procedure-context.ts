import type { Context as HonoContext } from "hono";
import { type Context, createContext } from "../../routers/context.ts";
import type { AppServices } from "../../start/services.ts";
import type { ApiVars } from "../api-vars.ts";
import { trpcCalls } from "./trpc-calls.ts";

/**
 * The request's procedure context, built once from what the /api guards decided (identity, request id,
 * budget): the same for `/api/trpc`, the direct GET path and the REST routes.
 */
export function procedureContext(c: HonoContext<{ Variables: ApiVars }>, services: AppServices): Context {
  let ctx = c.get("procedureContext");
  if (!ctx) {
    ctx = createContext(services, {
      requestId: c.get("requestId"),
      identity: c.get("identity"),
      budget: c.get("budget"),
      headers: c.req.raw.headers,
      // A REST route calls one procedure; a tRPC request as many as its batch names.
      soleCall: !c.req.path.startsWith("/api/trpc/") || trpcCalls(c) === 1,
    });
    c.set("procedureContext", ctx);
  }
  return ctx;
}
