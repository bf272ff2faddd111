import {
  CAPACITIES,
  ORDER_PRIORITIES,
  ORDER_SORTS,
  ORDER_STATUSES,
  SETTLED_INSTANCE_STATES,
} from "@lakebase-orders/shared";
import { describe, expect, it } from "vitest";
import {
  CAPACITY_LABELS,
  capacityLabel,
  humanize,
  ORDER_PRIORITY_LABELS,
  ORDER_SORT_LABELS,
  ORDER_STATUS_LABELS,
  pgVersionLabel,
  priorityLabel,
  RESOURCE_STATE_LABELS,
  stateLabel,
  statusLabel,
} from "./labels.ts";

// The states the Databricks `database` API documents (see the shared reference), each of which the SPA may show.
const INSTANCE_STATES = ["STARTING", "AVAILABLE", "DELETING", "STOPPED", "UPDATING", "FAILING_OVER"];
const PROVISIONING_STATES = ["PROVISIONING", "ACTIVE", "UPDATING", "DEGRADED", "DELETING", "FAILED"];
const SYNC_STATES = [
  "SYNCED_TABLE_PROVISIONING",
  "SYNCED_TABLE_PROVISIONING_PIPELINE_RESOURCES",
  "SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT",
  "SYNCED_TABLE_ONLINE",
  "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE",
  "SYNCED_TABLE_ONLINE_TRIGGERED_UPDATE",
  "SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE",
  "SYNCED_TABLE_ONLINE_PIPELINE_FAILED",
  "SYNCED_TABLE_OFFLINE_FAILED",
  "SYNCED_TABLED_OFFLINE",
];
/** A label that is still a code: capitals with underscores, or a TPC-H "1-URGENT". */
const LOOKS_LIKE_A_CODE = /^[A-Z0-9]+(?:[_-][A-Z0-9 ]+)+$|_/;

describe("labels", () => {
  it("has a label for every value the API's lists hold", () => {
    for (const status of ORDER_STATUSES) expect(ORDER_STATUS_LABELS[status]).toBeTruthy();
    for (const priority of ORDER_PRIORITIES) expect(ORDER_PRIORITY_LABELS[priority]).toBeTruthy();
    for (const sort of ORDER_SORTS) expect(ORDER_SORT_LABELS[sort]).toBeTruthy();
    for (const capacity of CAPACITIES) expect(CAPACITY_LABELS[capacity]).toBeTruthy();
    for (const state of [
      ...INSTANCE_STATES,
      ...SETTLED_INSTANCE_STATES,
      ...PROVISIONING_STATES,
      ...SYNC_STATES,
    ])
      expect(RESOURCE_STATE_LABELS[state], state).toBeDefined();
  });

  it("never reads as a code", () => {
    const all = [
      ...Object.values(ORDER_STATUS_LABELS),
      ...Object.values(ORDER_PRIORITY_LABELS),
      ...Object.values(CAPACITY_LABELS),
      ...Object.values(RESOURCE_STATE_LABELS).map((l) => l.label),
    ];
    for (const label of all) expect(label).not.toMatch(LOOKS_LIKE_A_CODE);
    expect(stateLabel("SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE")).toEqual({ label: "Up to date", tone: "ok" });
    expect(pgVersionLabel("PG_VERSION_16")).toBe("PostgreSQL 16");
    expect(capacityLabel("CU_1")).toBe("1 CU");
    expect(priorityLabel("1-URGENT")).toBe("Urgent");
  });

  it("words an unknown code rather than showing it as it is", () => {
    expect(humanize("SOME_NEW_STATE")).toBe("Some new state");
    expect(stateLabel("SOME_NEW_STATE").label).toBe("Some new state");
    expect(statusLabel("X")).toBe("X");
    expect(priorityLabel("6-SOMEDAY")).toBe("Someday");
    expect(capacityLabel("CU_16")).toBe("16 CU");
    expect(pgVersionLabel("PG_VERSION_17")).toBe("PostgreSQL 17");
  });

  it("tells running, succeeded and failed apart", () => {
    const tones = ["RUNNING", "SUCCEEDED", "FAILED"].map((s) => stateLabel(s).tone);
    expect(new Set(tones).size).toBe(3);
  });
});
