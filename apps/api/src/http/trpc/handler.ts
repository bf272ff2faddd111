import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Context as HonoContext } from "hono";
import { appRouter } from "../../routers/app-router.ts";
import type { AppServices } from "../../start/services.ts";
import type { ApiVars } from "../api-vars.ts";
import { writePositionHeaders } from "../write-position.ts";
import { procedureContext } from "./procedure-context.ts";
import { errorHeaders, reportProcedureError } from "./procedure-errors.ts";
import { answerSingleQuery, singleQueryOf } from "./single-query.ts";

/**
 * `/api/trpc/*`: one path per request, chosen here from the request's shape before anything runs, and never
 * left for the other. A single GET query (what the SPA's client and curl send for every read) is answered by
 * the single-query path: tRPC's fetch adapter would build a Fetch Request and Response for it (the orders
 * bench, CPU per request with one worker: byKey 231 us here, 324 us through the adapter; a count 182 us vs
 * 267 us; apps/api/README.md, Performance). Everything else (batches, mutations,
 * subscriptions, any other shape) is tRPC's fetch adapter's. Both call the same router with the same
 * context and answer failures with the same shape (routers/error-shape.ts) and report.
 */
export function trpcHandler(services: AppServices, options: { maxBatchSize: number }) {
  return (c: HonoContext<{ Variables: ApiVars }>): Promise<Response> => {
    const query = singleQueryOf(c.req.method, c.req.url);
    if (query) return answerSingleQuery(c, services, query);
    return fetchRequestHandler({
      endpoint: "/api/trpc",
      req: c.req.raw,
      router: appRouter,
      // More calls than this in one request is 400 before any of them runs.
      maxBatchSize: options.maxBatchSize,
      createContext: () => procedureContext(c, services),
      responseMeta: ({ errors, ctx }) => ({
        headers: {
          ...errorHeaders(errors),
          ...(ctx?.wrote && writePositionHeaders(ctx.wrote, c.req.raw)),
        },
      }),
      onError: ({ error, path }) =>
        reportProcedureError(
          c.get("procedureErrors"),
          services.logger.child({ requestId: c.get("requestId") }),
          error,
          path,
        ),
    });
  };
}
