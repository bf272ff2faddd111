import type { Logger } from "@lakebase-orders/log";
import type { CallerBudget } from "../http/guards/limits.ts";
import { presentedWriteToken } from "../http/write-position.ts";
import type { Identity } from "../identity/identity.ts";
import { userTokenOf } from "../identity/user-token.ts";
import type { WriteToken } from "../orders/writes/write-token.ts";
import type { AppServices } from "../start/services.ts";

/** What every procedure gets: the process's services and who is asking, in which request. */
export interface Context {
  services: AppServices;
  requestId: string;
  /** Decided once per request by the HTTP layer (identity/identify.ts: the trust model). */
  identity: Identity;
  /** The services' logger with the request id on every line. */
  logger: Logger;
  /** What this caller may still spend on expensive reads. */
  budget: CallerBudget;
  /**
   * The signed-in user's Databricks token, as the Apps proxy forwards it (X-Forwarded-Access-Token, when the
   * app declares user_api_scopes); null outside Databricks Apps, where no proxy vouches for the header.
   */
  userToken: string | null;
  /**
   * The write token the caller presents (header or cookie: http/write-position.ts), read when first asked;
   * throws BAD_REQUEST for a malformed header.
   */
  writeToken(): WriteToken | null;
  /** Set by a status change: the token its answer carries (the HTTP layer sends it). */
  wrote: WriteToken | null;
  /**
   * The request carries this one call (not a tRPC batch of several): its telemetry is recorded on the
   * request's own span rather than on a child span (telemetry/procedure.ts).
   */
  soleCall: boolean;
}

export interface RequestFacts {
  requestId: string;
  identity: Identity;
  budget: CallerBudget;
  headers: Headers;
  /** See Context.soleCall; false when not known. */
  soleCall?: boolean;
}

export function createContext(services: AppServices, request: RequestFacts): Context {
  // Every procedure call is a user's (health probes are not procedures): background work may run.
  services.activity.touch();
  // The request's logger is built when a line is written: a read that succeeds writes none here (its one
  // request line is the HTTP layer's), and a child logger is half a dozen closures per request.
  let logger: Logger | undefined;
  let presented: { token: WriteToken | null } | undefined;
  return {
    services,
    requestId: request.requestId,
    identity: request.identity,
    get logger() {
      logger ??= services.logger.child({ requestId: request.requestId });
      return logger;
    },
    budget: request.budget,
    userToken: userTokenOf(services.config.identity, request.identity, request.headers),
    writeToken() {
      presented ??= { token: presentedWriteToken(request.headers) };
      return presented.token;
    },
    wrote: null,
    soleCall: request.soleCall ?? false,
  };
}
