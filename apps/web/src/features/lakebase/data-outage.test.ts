import { describe, expect, it } from "vitest";
import { formatFor } from "../../format.ts";
import { blocksReading, describeOutage, type OutageInput, outageKind } from "./data-outage.ts";

const instance = {
  name: "orders-db",
  state: "AVAILABLE",
  capacity: "CU_1",
  nodeCount: 1,
  readWriteDns: null,
  pgVersion: "PG_VERSION_16",
  stopped: false,
  createdAt: "2026-01-01T00:00:00Z",
};
const syncedTable = {
  name: "orders_catalog.public.orders_synced",
  state: "ACTIVE",
  detailedState: "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE",
  progress: null,
  lastSyncAt: "2026-01-01T00:00:00Z",
  pipelineId: null,
  message: null,
};
const fine: OutageInput = { configured: true, instance, syncedTable, operation: null };

function op(
  kind: "stop" | "start" | "create" | "delete",
  outcome: "running" | "succeeded",
  actor: string | null,
) {
  return {
    id: "op-1",
    kind,
    actor,
    startedAt: "2026-03-15T10:00:00Z",
    finishedAt: outcome === "running" ? null : "2026-03-15T10:00:05Z",
    step: "done",
    outcome,
    error: null,
  } as const;
}

describe("what the Lakebase status means for reading orders", () => {
  it("finds nothing wrong when all is online, or when nothing is known", () => {
    expect(outageKind(fine)).toBeNull();
    expect(outageKind(undefined)).toBeNull();
    // No workspace configured: the app reads a plain database, the status knows nothing of it.
    expect(outageKind({ ...fine, configured: false, instance: null, syncedTable: null })).toBeNull();
  });

  it("names every state that keeps the orders from being read", () => {
    const cases: [OutageInput, string][] = [
      [{ ...fine, instance: { ...instance, state: "STOPPED", stopped: true } }, "stopped"],
      [{ ...fine, instance: { ...instance, stopped: true } }, "stopping"],
      [{ ...fine, instance: { ...instance, state: "STARTING" } }, "starting"],
      [{ ...fine, instance: { ...instance, state: "DELETING" } }, "deleting"],
      [{ ...fine, operation: op("delete", "running", null) }, "deleting"],
      [{ ...fine, syncedTable: null, operation: op("create", "running", null) }, "creating"],
      [{ ...fine, instance: null, syncedTable: null }, "missing"],
      [{ ...fine, syncedTable: null }, "table-missing"],
      [
        { ...fine, syncedTable: { ...syncedTable, detailedState: "SYNCED_TABLE_OFFLINE_FAILED" } },
        "sync-failed",
      ],
      [
        {
          ...fine,
          syncedTable: { ...syncedTable, detailedState: "SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT" },
        },
        "syncing",
      ],
    ];
    for (const [status, kind] of cases) {
      expect(outageKind(status)).toBe(kind);
      expect(blocksReading(outageKind(status))).toBe(true);
    }
  });

  it("warns without blocking when the orders can be read but may be out of date", () => {
    const behind = {
      ...fine,
      syncedTable: { ...syncedTable, detailedState: "SYNCED_TABLE_ONLINE_PIPELINE_FAILED" },
    };
    expect(outageKind(behind)).toBe("sync-behind");
    expect(blocksReading(outageKind(behind))).toBe(false);
    // A create that reached ONLINE is no longer in the reader's way.
    expect(outageKind({ ...fine, operation: op("create", "running", null) })).toBeNull();
  });

  it("says who stopped it when the status names them, else an admin", () => {
    const format = formatFor("en-US");
    const stopped = { ...fine, instance: { ...instance, state: "STOPPED", stopped: true } };
    const forAnalyst = describeOutage({ ...stopped, operation: op("stop", "succeeded", null) }, format);
    expect(forAnalyst).toMatchObject({ kind: "stopped", badge: "Database stopped", blocksReading: true });
    expect(forAnalyst?.title).toBe("The database is stopped: orders cannot be read right now.");
    expect(forAnalyst?.detail).toMatch(/^An admin stopped it on Mar 15, 2026, \d\d:00:05 [AP]M\. /);
    const forAdmin = describeOutage(
      { ...stopped, operation: op("stop", "succeeded", "ada@example.com") },
      format,
    );
    expect(forAdmin?.detail).toMatch(/^ada@example\.com stopped it on /);
    // The last operation was something else: nobody is named, and no time is made up.
    const other = describeOutage(
      { ...stopped, operation: op("start", "succeeded", "ada@example.com") },
      format,
    );
    expect(other?.detail).toMatch(/^An admin stopped it\. /);
  });
});
