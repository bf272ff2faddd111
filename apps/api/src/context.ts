import type { Logger } from "@lakebase-orders/log";
import { type Identity, identityFrom } from "./identity.ts";
import type { AppServices } from "./services.ts";

/** What every procedure gets: the process's services and who is asking, in which request. */
export interface Context {
  services: AppServices;
  requestId: string;
  identity: Identity;
  /** The services' logger with the request id on every line. */
  logger: Logger;
}

export function createContext(services: AppServices, headers: Headers, requestId: string): Context {
  return {
    services,
    requestId,
    identity: identityFrom(headers, services.config.identity.localIdentity),
    logger: services.logger.child({ requestId }),
  };
}
