import { clientFor, type Harness, lakebaseEnv, namesFor, startHarness } from "@lakebase-orders/api/testing";
import { loadConfig } from "@lakebase-orders/config";
import { createLogger } from "@lakebase-orders/log";
import { withClient } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../http/app.ts";
import { buildServices } from "./services.ts";

// Issue 25, "shutdown can overrun Apps' 15 s (8 s grace, then up to 30 s to close Lakebase work) and the
// audit writer drops entries still pending". At shutdown (after the requests' grace, what `run` does on
// SIGTERM): a create whose background step hangs on Databricks, and an audit entry its database could not
// take earlier, still kept.
let h: Harness;

beforeAll(async () => {
  h = await startHarness("api_shutdown");
}, 60_000);

afterAll(async () => {
  h?.local.faults.clear();
  await h?.close();
});

describe("closing the services", () => {
  it("ends within its budget with Lakebase work still hanging, and writes the audit entries it kept", async () => {
    const names = namesFor("shut");
    const logs: string[] = [];
    const services = buildServices(
      loadConfig({ ...lakebaseEnv(h, names), TRUST_FORWARDED_HEADERS: "true" }),
      h.db,
      {
        logger: createLogger({ write: (l) => logs.push(l) }),
        workspaceClient: h.sdk,
        lakebase: { pollIntervalMs: 15, statusCacheMs: 10 },
        onProvisioned: async () => undefined,
        // Kept entries are retried only much later: only the shutdown can write this one in time.
        audit: { retryMs: 60_000 },
      },
    );
    // An entry the database cannot take now (its table is locked): kept.
    const holder = new pg.Client({ connectionString: h.database.url });
    await holder.connect();
    await holder.query("BEGIN; LOCK TABLE app_data.admin_audit IN ACCESS EXCLUSIVE MODE");
    await services.audit({ actor: "tester@example.com", action: "test.kept", outcome: "succeeded" });
    expect(services.audit.pending()).toBe(1);
    await holder.query("ROLLBACK");
    await holder.end();

    // A create whose background step (the catalog) hangs on Databricks.
    h.local.faults.addLatency({ method: "POST", path: "/api/2.0/database/catalogs" }, 120_000);
    await clientFor(createApp(services)).lakebase.create.mutate({ acknowledgeCost: true });
    // Its catalog call has reached Databricks (and does not come back).
    const catalogCalls = () => h.local.counters().routes["POST /api/2.0/database/catalogs"] ?? 0;
    for (let i = 0; i < 300 && catalogCalls() === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(catalogCalls()).toBe(1);

    const started = performance.now();
    await services.close();
    const took = performance.now() - started;
    console.info(`closed in ${Math.round(took)} ms`);
    expect(took).toBeLessThan(4000);
    expect(logs.some((l) => l.includes("Lakebase work still running was left to its lease"))).toBe(true);
    const rows = await withClient(
      h.database.url,
      async (c) => (await c.query("SELECT actor FROM app_data.admin_audit WHERE action = 'test.kept'")).rows,
    );
    expect(rows).toEqual([{ actor: "tester@example.com" }]);
  }, 90_000);
});
