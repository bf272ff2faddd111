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
  /**
   * The signed-in user's Databricks token, as the Apps proxy forwards it (X-Forwarded-Access-Token, when the
   * app declares user_api_scopes); null outside Databricks Apps, where no proxy vouches for the header.
   */
  userToken: string | null;
}

export function createContext(services: AppServices, headers: Headers, requestId: string): Context {
  const identity = identityFrom(headers, services.config.identity.localIdentity);
  const fromProxy = services.config.identity.inDatabricksApp && identity.source === "databricks-apps";
  return {
    services,
    requestId,
    identity,
    logger: services.logger.child({ requestId }),
    userToken: (fromProxy && headers.get("x-forwarded-access-token")?.trim()) || null,
  };
}
