import { describe, expect, it } from "vitest";
import { isSettled } from "./lakebase.ts";

const online = { state: "ACTIVE", detailedState: "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE" };

describe("isSettled", () => {
  it("is settled with nothing there, or everything at rest", () => {
    expect(isSettled({ instance: null, syncedTable: null })).toBe(true);
    expect(isSettled({ instance: { state: "AVAILABLE" }, syncedTable: online })).toBe(true);
    expect(isSettled({ instance: { state: "STOPPED" }, syncedTable: null })).toBe(true);
    expect(
      isSettled({ instance: { state: "AVAILABLE" }, syncedTable: { state: "FAILED", detailedState: null } }),
    ).toBe(true);
  });

  it("is not settled while anything moves or an operation runs", () => {
    expect(isSettled({ instance: { state: "STARTING" }, syncedTable: null })).toBe(false);
    expect(
      isSettled({
        instance: { state: "AVAILABLE" },
        syncedTable: { state: "PROVISIONING", detailedState: "SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT" },
      }),
    ).toBe(false);
    expect(
      isSettled({ instance: { state: "AVAILABLE" }, syncedTable: online, operation: { outcome: "running" } }),
    ).toBe(false);
  });
});
