import type { Logger } from "@lakebase-orders/log";
import type { CallerBudget } from "./http/limits.ts";
import type { Identity } from "./identity.ts";
import type { AppServices } from "./services.ts";

/** What every procedure gets: the process's services and who is asking, in which request. */
export interface Context {
  services: AppServices;
  requestId: string;
  /** Decided once per request by the HTTP layer (http/identify.ts: the trust model). */
  identity: Identity;
  /** The services' logger with the request id on every line. */
  logger: Logger;
  /** What this caller may still spend on expensive reads. */
  budget: CallerBudget;
}

export interface RequestFacts {
  requestId: string;
  identity: Identity;
  budget: CallerBudget;
}

export function createContext(services: AppServices, request: RequestFacts): Context {
  return {
    services,
    requestId: request.requestId,
    identity: request.identity,
    logger: services.logger.child({ requestId: request.requestId }),
    budget: request.budget,
  };
}
