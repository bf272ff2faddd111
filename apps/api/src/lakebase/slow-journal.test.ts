import { type Harness, namesFor, setUp, startHarness } from "@lakebase-orders/api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The journal lives in the app's database, and a status query waits for it only briefly. On a busy machine
// that wait is missed now and then; the operation must not then flip to the resources' view of it (which has
// no finish time) and back with every read: the progress stream would push each flip as a change, and a
// reconnect that had the settled state would be told of a new one (CI saw it under load).

let h: Harness;

beforeAll(async () => {
  h = await startHarness("api_slow_journal");
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe("a journal slower than the status wait", () => {
  it("leaves the last operation as the journal last said it", async () => {
    const s = setUp(h, namesFor("slowjournal"));
    const admin = s.client();
    await admin.lakebase.create.mutate({ acknowledgeCost: true });
    await s.service.idle();
    const settled = await admin.lakebase.status.query();
    expect(settled.operation).toMatchObject({ kind: "create", outcome: "succeeded" });
    expect(settled.operation?.finishedAt).not.toBeNull();

    // Another session holds the journal's table: every read of it waits past the status's deadline.
    const blocker = await h.db.pool.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query("LOCK TABLE app_data.lakebase_operation IN ACCESS EXCLUSIVE MODE");
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const during = await admin.lakebase.status.query();
        expect(during.operation).toEqual(settled.operation);
      }
    } finally {
      await blocker.query("ROLLBACK");
      blocker.release();
    }
    expect((await admin.lakebase.status.query()).operation).toEqual(settled.operation);
    await s.service.close();
  }, 120_000);
});
