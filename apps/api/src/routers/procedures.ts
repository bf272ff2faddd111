import { initTRPC } from "@trpc/server";
import { toTrpcError } from "../errors/to-trpc-error.ts";
import type { Context } from "./context.ts";
import { errorShape } from "./error-shape.ts";

// No transformer on purpose: the wire stays plain JSON, so curl and other languages can call every
// procedure. Outputs are therefore plain DTOs (decimals as strings, dates as YYYY-MM-DD).
const t = initTRPC.context<Context>().create({
  errorFormatter: ({ error, path }) => errorShape(error, path),
});

// Domain code throws domain errors; this is where they become tRPC codes, for every procedure. The mapping
// runs inside the procedure's telemetry, so its span and duration see the mapped code (NOT_FOUND, not
// INTERNAL_SERVER_ERROR). One middleware for both: each tRPC middleware level copies the call's options
// twice (about 4 us of CPU per level and call, a tenth of the bare floor's whole key lookup), and with
// telemetry off `procedure` is a bare `next()`.
const tracedDomainErrors = t.middleware(({ ctx, path, type, next }) =>
  ctx.services.telemetry.procedure(
    path,
    type,
    async () => {
      const result = await next();
      if (result.ok) return result;
      // Returned, not thrown: the telemetry reads the code from the result.
      const mapped = toTrpcError(result.error);
      return mapped === result.error ? result : { ...result, error: mapped };
    },
    ctx.soleCall,
  ),
);

export const router = t.router;
export const publicProcedure = t.procedure.use(tracedDomainErrors);
export const createCallerFactory = t.createCallerFactory;
