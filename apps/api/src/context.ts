import { randomUUID } from "node:crypto";
import type { Db } from "@lakebase-orders/db";
import type { LakebaseService } from "./lakebase/service.ts";
import type { Logger } from "./log.ts";
import type { OrdersStore } from "./orders/store.ts";

export interface Identity {
  /** Who acts: the e-mail, else the user id, from the Databricks Apps proxy; else the local identity. */
  actor: string;
  email: string | null;
  source: "databricks-apps" | "local" | "anonymous";
}

export type DataAvailability = { available: true } | { available: false; reason: string };

/** Long-lived things the app is built from (one set per process, shared by every request). */
export interface AppServices {
  db: Db;
  logger: Logger;
  orders: OrdersStore;
  /**
   * Whether the synced orders table can be read. The default checks that the table exists; the Lakebase
   * admin can replace it to report the sync pipeline's progress (the reason reaches the client verbatim).
   */
  dataAvailability: () => Promise<DataAvailability>;
  /**
   * Used outside Databricks Apps, where no proxy sets X-Forwarded-Email. Null inside Apps: there a request
   * without the proxy's headers is anonymous, never the local (admin) identity.
   */
  localIdentity: string | null;
  /** Lifecycle admin of the Lakebase resources (the `lakebase` router); absent when not wired. */
  lakebase?: LakebaseService;
}

export interface Context extends AppServices {
  requestId: string;
  identity: Identity;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts the proxy's X-Request-Id when it looks like one (it ends up in logs), else makes one. */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

export function identityFrom(headers: Headers, localIdentity: string | null): Identity {
  const email = headers.get("x-forwarded-email")?.trim() || null;
  const user = headers.get("x-forwarded-user")?.trim() || null;
  const actor = email ?? user;
  if (actor) return { actor, email, source: "databricks-apps" };
  if (localIdentity) return { actor: localIdentity, email: null, source: "local" };
  return { actor: "anonymous", email: null, source: "anonymous" };
}

export function createContext(services: AppServices, headers: Headers, requestId: string): Context {
  return {
    ...services,
    requestId,
    identity: identityFrom(headers, services.localIdentity),
    logger: services.logger.child({ requestId }),
  };
}
