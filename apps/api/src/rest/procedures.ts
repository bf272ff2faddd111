import type { Context as HonoContext } from "hono";
import { procedureContext } from "../http/trpc/procedure-context.ts";
import { reportProcedureError } from "../http/trpc/procedure-errors.ts";
import { appRouter } from "../routers/app-router.ts";
import { createCallerFactory } from "../routers/procedures.ts";
import type { AppServices } from "../start/services.ts";
import type { RestEnv } from "./types.ts";

const createCaller = createCallerFactory(appRouter);
export type Procedures = ReturnType<typeof createCaller>;
/** The procedures for one request. */
export type Call = (c: HonoContext<RestEnv>) => Procedures;

/**
 * The tRPC procedures themselves, called in-process: a REST route runs the same middlewares (availability,
 * read-your-writes, admin check and audit, domain error mapping) and the same input schema as the tRPC call.
 * Failures are logged and listed in the request log line as `/api/trpc` does; the REST error handler
 * turns them into `{"detail": ...}`.
 */
export function procedures(c: HonoContext<RestEnv>, services: AppServices): Procedures {
  const ctx = procedureContext(c, services);
  return createCaller(ctx, {
    onError: ({ error, path }) => reportProcedureError(c.get("procedureErrors"), ctx.logger, error, path),
  });
}
