import { scrubSecrets } from "@lakebase-orders/log";
import { Hono } from "hono";
import type { AppServices } from "../services.ts";

/** Liveness (the process answers) and readiness (the database answers within the deadline). */
export function healthRoutes(services: AppServices, options: { readyTimeoutMs?: number } = {}) {
  return new Hono()
    .get("/health", (c) => c.json({ status: "ok" }))
    .get("/ready", async (c) => {
      try {
        await services.db.ping(options.readyTimeoutMs ?? 2000);
        return c.json({ status: "ready" });
      } catch (error) {
        const reason = scrubSecrets(error instanceof Error ? error.message : String(error));
        return c.json({ status: "unavailable", reason: `database: ${reason}` }, 503);
      }
    });
}
