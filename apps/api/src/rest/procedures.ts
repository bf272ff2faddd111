import { createTRPCRecursiveProxy, getTRPCErrorFromUnknown } from "@trpc/server";
import type { Context as HonoContext } from "hono";
import { procedureContext } from "../http/trpc/procedure-context.ts";
import { reportProcedureError } from "../http/trpc/procedure-errors.ts";
import { appRouter } from "../routers/app-router.ts";
import { runProcedure } from "../routers/procedure-chain.ts";
import { createCallerFactory } from "../routers/procedures.ts";
import type { AppServices } from "../start/services.ts";
import type { RestEnv } from "./types.ts";

const createCaller = createCallerFactory(appRouter);
export type Procedures = ReturnType<typeof createCaller>;
/** The procedures for one request. */
export type Call = (c: HonoContext<RestEnv>) => Procedures;

/**
 * The tRPC procedures themselves, called in-process: a REST route runs the same middlewares (availability,
 * read-your-writes, admin check and audit, domain error mapping) and the same input schema as the tRPC call,
 * as tRPC's server-side caller would (typed as one), on the procedures' pre-built chains
 * (routers/procedure-chain.ts). Failures are logged and listed in the request log line as `/api/trpc` does,
 * then thrown as they are; the REST error handler turns them into `{"detail": ...}`.
 */
export function procedures(c: HonoContext<RestEnv>, services: AppServices): Procedures {
  const ctx = procedureContext(c, services);
  return createTRPCRecursiveProxy(async ({ path: parts, args }) => {
    const path = parts.join(".");
    try {
      return await runProcedure({ path, ctx, input: args[0] });
    } catch (cause) {
      reportProcedureError(c.get("procedureErrors"), ctx.logger, getTRPCErrorFromUnknown(cause), path);
      throw cause;
    }
  }) as Procedures;
}
