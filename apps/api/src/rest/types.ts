import type { z } from "zod";
import type { ApiVars } from "../http/api-vars.ts";

/** Left by the /api guards in http/app.ts: the request id and log, who calls, and their read budget. */
export interface RestVars extends ApiVars {
  /** Set on admin routes: an input refused at the REST edge is audited under this action, read by its schema. */
  adminAction?: { action: string; query: z.ZodType };
}

export interface RestEnv {
  Variables: RestVars;
}
