import { initTRPC } from "@trpc/server";
import { toTrpcError } from "../errors/to-trpc-error.ts";
import type { Context } from "./context.ts";
import { errorShape } from "./error-shape.ts";

// No transformer on purpose: the wire stays plain JSON, so curl and other languages can call every
// procedure. Outputs are therefore plain DTOs (decimals as strings, dates as YYYY-MM-DD).
const t = initTRPC.context<Context>().create({
  errorFormatter: ({ error, path }) => errorShape(error, path),
});

// Domain code throws domain errors; this is where they become tRPC codes, for every procedure.
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const mapped = toTrpcError(result.error);
    if (mapped !== result.error) throw mapped;
  }
  return result;
});

// Outermost, so the procedure's span and duration see the mapped code (NOT_FOUND, not INTERNAL_SERVER_ERROR).
const traced = t.middleware(({ ctx, path, type, next }) =>
  ctx.services.telemetry.procedure(path, type, next),
);

export const router = t.router;
export const publicProcedure = t.procedure.use(traced).use(domainErrors);
export const createCallerFactory = t.createCallerFactory;
