import { scrubSecrets } from "@lakebase-orders/log";
import { Hono } from "hono";
import type { AppServices } from "../services.ts";

/**
 * Liveness (the process answers: 200 from the first moment, whatever the database does, so a platform never
 * restarts the app for a database outage) and readiness (the database is migrated in this process and answers
 * `select 1` within the deadline; else 503 with the reason).
 */
export function healthRoutes(services: AppServices, options: { readyTimeoutMs?: number } = {}) {
  return new Hono()
    .get("/health", (c) => c.json({ status: "ok" }))
    .get("/ready", async (c) => {
      const state = services.readiness.state();
      if (!state.ready) {
        return c.json(
          {
            status: "unavailable",
            reason: `database: ${state.reason}${state.detail ? ` (${state.detail})` : ""}`,
            since: state.since,
            attempts: state.attempts,
          },
          503,
        );
      }
      try {
        await services.db.ping(options.readyTimeoutMs ?? 2000);
        return c.json({ status: "ready" });
      } catch (error) {
        const reason = scrubSecrets(error instanceof Error ? error.message : String(error));
        return c.json({ status: "unavailable", reason: `database: ${reason}` }, 503);
      }
    });
}
