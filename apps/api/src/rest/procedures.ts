import { serializeError } from "@lakebase-orders/log";
import type { Context as HonoContext } from "hono";
import { ZodError } from "zod";
import { type Context, createContext } from "../context.ts";
import { isDomainError } from "../errors/domain-error.ts";
import { appRouter } from "../router.ts";
import type { AppServices } from "../services.ts";
import { createCallerFactory } from "../trpc.ts";
import type { RestEnv } from "./types.ts";

const createCaller = createCallerFactory(appRouter);
export type Procedures = ReturnType<typeof createCaller>;
/** The procedures for one request. */
export type Call = (c: HonoContext<RestEnv>) => Procedures;

/** The request's procedure context, as `/api/trpc` builds it (same identity, same request id). */
export function procedureContext(c: HonoContext<RestEnv>, services: AppServices): Context {
  let ctx = c.get("procedureContext");
  if (!ctx) {
    ctx = createContext(services, c.req.raw.headers, c.get("requestId"));
    c.set("procedureContext", ctx);
  }
  return ctx;
}

/**
 * The tRPC procedures themselves, called in-process: a REST route runs the same middlewares (availability,
 * read-your-writes, admin check and audit, domain error mapping) and the same input schema as the tRPC call.
 * Failures are logged and listed in the request log line as `/api/trpc` does; the REST error handler
 * turns them into `{"detail": ...}`.
 */
export function procedures(c: HonoContext<RestEnv>, services: AppServices): Procedures {
  const ctx = procedureContext(c, services);
  return createCaller(ctx, {
    onError: ({ error, path }) => {
      c.get("procedureErrors").push({ procedure: path, code: error.code });
      if (error.code === "INTERNAL_SERVER_ERROR") {
        ctx.logger.error("procedure failed", {
          procedure: path,
          error: serializeError(error.cause ?? error),
        });
        return;
      }
      const cause = isDomainError(error.cause) ? error.cause.cause : error.cause;
      if (cause && !(cause instanceof ZodError)) {
        ctx.logger.warn("procedure rejected", {
          procedure: path,
          code: error.code,
          error: serializeError(cause),
        });
      }
    },
  });
}
