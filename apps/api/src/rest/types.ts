import type { Context } from "../context.ts";
import type { RequestVars } from "../http/request-log.ts";

export interface RestVars extends RequestVars {
  /** The procedures' context of this request (identity, request id, logger), built once. */
  procedureContext?: Context;
  /** Set on admin routes: an input refused at the REST edge is audited under this action. */
  adminAction?: string;
}

export interface RestEnv {
  Variables: RestVars;
}
