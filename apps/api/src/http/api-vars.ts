import type { IdentityVars } from "../identity/identify.ts";
import type { Context } from "../routers/context.ts";
import type { CallerBudget } from "./guards/limits.ts";
import type { RequestVars } from "./request-log.ts";

/** What the /api middlewares (http/app.ts) leave on every request, for any route mounted after them. */
export interface ApiVars extends RequestVars, IdentityVars {
  /** This caller's budget of expensive reads (guards/limits.ts). */
  budget: CallerBudget;
  /** The procedures' context of this request, built once (trpc/procedure-context.ts). */
  procedureContext?: Context;
}
