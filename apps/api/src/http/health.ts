import { scrubSecrets } from "@lakebase-orders/log";
import { Hono } from "hono";
import type { IdentityVars } from "../identity/identify.ts";
import { isAdmin } from "../identity/identity.ts";
import type { AppServices } from "../start/services.ts";

/**
 * Liveness (the process answers: 200 from the first moment, whatever the database does, so a platform never
 * restarts the app for a database outage) and readiness (the database is migrated in this process and answers
 * `select 1` within the deadline; else 503 with the reason).
 */
export function healthRoutes(services: AppServices, options: { readyTimeoutMs?: number } = {}) {
  return new Hono<{ Variables: IdentityVars }>()
    .get("/health", (c) => c.json({ status: "ok" }))
    .get("/ready", async (c) => {
      // The driver's text (hosts, users, instance names) is for admins only.
      const identity = c.get("identity");
      const admin = Boolean(identity && isAdmin(identity, services.config.identity));
      const state = services.readiness.state();
      if (!state.ready) {
        const detail = admin && state.detail ? ` (${state.detail})` : "";
        return c.json(
          {
            status: "unavailable",
            reason: `database: ${state.reason}${detail}`,
            since: state.since,
            attempts: state.attempts,
          },
          503,
        );
      }
      // A probe is not a user: while nobody uses the app it asks the database nothing (a query would keep a
      // scale-to-zero endpoint awake); the next request wakes it in a moment.
      if (services.activity.isIdle()) return c.json({ status: "ready", idle: true });
      try {
        await services.db.ping(options.readyTimeoutMs ?? 2000);
        return c.json({ status: "ready" });
      } catch (error) {
        // A Lakebase Autoscaling compute coming back from scale to zero is not down: requests wait for it.
        const waking = services.lakebase.wakeReason(error);
        if (waking) {
          c.header("Retry-After", "1");
          return c.json({ status: "waking", reason: admin ? waking : "the database is waking up" }, 503);
        }
        if (!admin) {
          return c.json({ status: "unavailable", reason: "database unavailable" }, 503);
        }
        const reason = scrubSecrets(error instanceof Error ? error.message : String(error));
        return c.json({ status: "unavailable", reason: `database: ${reason}` }, 503);
      }
    });
}
