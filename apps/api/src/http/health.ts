import { scrubSecrets } from "@lakebase-orders/log";
import { Hono } from "hono";
import { isAdmin } from "../identity.ts";
import type { AppServices } from "../services.ts";
import type { IdentityVars } from "./identify.ts";

/** Liveness (the process answers) and readiness (the database answers within the deadline). */
export function healthRoutes(services: AppServices, options: { readyTimeoutMs?: number } = {}) {
  return new Hono<{ Variables: IdentityVars }>()
    .get("/health", (c) => c.json({ status: "ok" }))
    .get("/ready", async (c) => {
      try {
        await services.db.ping(options.readyTimeoutMs ?? 2000);
        return c.json({ status: "ready" });
      } catch (error) {
        // The driver's text (hosts, users, instance names) is for admins only.
        const identity = c.get("identity");
        if (!identity || !isAdmin(identity, services.config.identity)) {
          return c.json({ status: "unavailable", reason: "database unavailable" }, 503);
        }
        const reason = scrubSecrets(error instanceof Error ? error.message : String(error));
        return c.json({ status: "unavailable", reason: `database: ${reason}` }, 503);
      }
    });
}
