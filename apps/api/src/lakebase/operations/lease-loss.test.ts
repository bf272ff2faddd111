import { type Harness, namesFor, setUp, startHarness, until } from "@lakebase-orders/api/testing";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../../routers/app-router.ts";

// A process that loses its operation's lease (another process took the running journal row over, e.g. after
// this one could not renew it for a whole lease) must stop before its next step: two processes must never
// both carry one operation on. Here the take-over is done to the journal directly, as another process would.

let h: Harness;

beforeAll(async () => {
  h = await startHarness("api_lease_loss");
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const instanceDeletes = () =>
  Object.entries(h.local.counters().routes)
    .filter(([route]) => route.startsWith("DELETE") && route.includes("/instances"))
    .reduce((n, [, calls]) => n + calls, 0);

describe("a lost lease", () => {
  it("stops the operation before its next step, records no outcome, and leaves the row to its new holder", async () => {
    const names = namesFor("lease");
    // A short lease: renewed every 500 ms, so the loss is found while the catalog's DELETE is still under way.
    const s = setUp(h, names, { leaseSeconds: 1.5 });
    const admin = s.client();
    await admin.lakebase.create.mutate({ acknowledgeCost: true });
    await s.service.idle();
    const before = instanceDeletes();

    h.local.faults.addLatency({ method: "DELETE", path: "/api/2.0/database/catalogs/*" }, 3000);
    const deleting = admin.lakebase.delete.mutate({ confirmName: names.instanceName }).then(
      () => null,
      (error: unknown) => error,
    );
    const row = await until(
      async () =>
        (
          await h.db.pool.query<{ id: string; step: string }>(
            "SELECT id::text, step FROM app_data.lakebase_operation WHERE instance_name = $1 AND finished_at IS NULL",
            [names.instanceName],
          )
        ).rows[0],
      (r) => r?.step === "deleting the database catalog",
    );
    // Another process takes the operation over (as recovery.ts does once a lease has run out).
    await h.db.pool.query("UPDATE app_data.lakebase_operation SET owner = 'another-process' WHERE id = $1", [
      row?.id,
    ]);

    const error = await deleting;
    h.local.faults.clear();
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data?.code).toBe("SERVICE_UNAVAILABLE");
    expect((error as Error).message).toMatch(/another process/);
    expect(s.logs.some((l) => l.includes('"lakebase_operation_lease_lost"'))).toBe(true);
    expect(s.logs.some((l) => l.includes('"lakebase operation left to another process"'))).toBe(true);

    // The catalog's DELETE was already on its way; the instance's, the next step, was never sent.
    await new Promise((r) => setTimeout(r, 500));
    expect(instanceDeletes()).toBe(before);
    expect((await admin.lakebase.status.query()).instance?.state).toBe("AVAILABLE");
    // No outcome from the process that lost the lease: the row is its new holder's, still running.
    const after = await h.db.pool.query<{ owner: string; finished: boolean }>(
      "SELECT owner, finished_at IS NOT NULL AS finished FROM app_data.lakebase_operation WHERE id = $1",
      [row?.id],
    );
    expect(after.rows[0]).toEqual({ owner: "another-process", finished: false });
    const audit = await h.db.pool.query<{ action: string }>(
      "SELECT action FROM app_data.admin_audit WHERE detail->'operation'->>'id' = $1",
      [row?.id],
    );
    expect(audit.rows.map((r) => r.action)).not.toContain("lakebase.delete.finished");
    await s.service.close();
  });
});
