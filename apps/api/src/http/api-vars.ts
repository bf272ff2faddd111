import type { Context } from "../context.ts";
import type { IdentityVars } from "./identify.ts";
import type { CallerBudget } from "./limits.ts";
import type { RequestVars } from "./request-log.ts";

/** What the /api middlewares (app.ts) leave on every request, for any route mounted after them. */
export interface ApiVars extends RequestVars, IdentityVars {
  /** This caller's budget of expensive reads (http/limits.ts). */
  budget: CallerBudget;
  /** The procedures' context of this request, built once (procedure-context.ts). */
  procedureContext?: Context;
}
