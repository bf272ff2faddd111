import { initTRPC } from "@trpc/server";
import { ZodError, z } from "zod";
import type { Context } from "./context.ts";
import { databricksErrorData } from "./lakebase/errors.ts";

// No transformer on purpose: the wire stays plain JSON, so curl and other languages can call every
// procedure. Outputs are therefore plain DTOs (decimals as strings, dates as YYYY-MM-DD).
const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? z.flattenError(error.cause) : null;
    // Internal errors keep their detail in the server log (with the request id), not on the wire.
    const message = error.code === "INTERNAL_SERVER_ERROR" ? "Internal server error" : shape.message;
    const { stack: _stack, ...data } = shape.data;
    // The Databricks error code behind a failed Lakebase call, for the SPA to recognise.
    const databricks = databricksErrorData(error.cause);
    return { ...shape, message, data: { ...data, zodError, databricks } };
  },
});

export const router = t.router;
export const publicProcedure = t.procedure;
export const createCallerFactory = t.createCallerFactory;
export const mergeRouters = t.mergeRouters;
