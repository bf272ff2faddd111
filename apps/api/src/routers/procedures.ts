import { initTRPC } from "@trpc/server";
import { ZodError, z } from "zod";
import { isDomainError } from "../errors/domain-error.ts";
import { toTrpcError } from "../errors/to-trpc-error.ts";
import type { Context } from "./context.ts";

// No transformer on purpose: the wire stays plain JSON, so curl and other languages can call every
// procedure. Outputs are therefore plain DTOs (decimals as strings, dates as YYYY-MM-DD).
const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? z.flattenError(error.cause) : null;
    // Internal errors keep their detail in the server log (with the request id), not on the wire.
    const message = error.code === "INTERNAL_SERVER_ERROR" ? "Internal server error" : shape.message;
    const { stack: _stack, ...data } = shape.data;
    // The Databricks error code behind a failed Lakebase call, for the SPA to recognise.
    const databricks = isDomainError(error.cause) ? error.cause.databricks : null;
    return { ...shape, message, data: { ...data, zodError, databricks } };
  },
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
