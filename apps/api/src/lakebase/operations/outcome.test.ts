import { describe, expect, it } from "vitest";
import { autoscalingOutcomes } from "../autoscaling/outcomes.ts";
import { provisionedOutcomes } from "../provisioned/outcomes.ts";
import type { InstanceStatus, ObservedSnapshot } from "../status/snapshot.ts";
import type { JournalRow } from "./journal.ts";
import { currentOperation, judgeInterrupted } from "./outcome.ts";
import type { RecordedOperation } from "./recorded.ts";

// The one rule every process applies to say (and record) how an operation ended, on hand-made snapshots.

const instance = (state: string, stopped = state === "STOPPED"): InstanceStatus => ({
  name: "i",
  state,
  capacity: "CU_1",
  nodeCount: 1,
  readWriteDns: null,
  pgVersion: null,
  stopped,
  createdAt: null,
});
const online = {
  name: "c.public.t",
  state: "ACTIVE",
  detailedState: "SYNCED_TABLE_ONLINE",
  progress: null,
  lastSyncAt: null,
  pipelineId: null,
  message: null,
};
const snapshot = (i: InstanceStatus | null, recorded: RecordedOperation | null = null): ObservedSnapshot => ({
  instance: i,
  catalog: i ? { name: "c", databaseName: "d" } : null,
  syncedTable: i ? online : null,
  recorded,
});
const row = (kind: JournalRow["kind"], over: Partial<JournalRow> = {}): JournalRow => ({
  id: `${kind}-row`,
  instanceName: "i",
  kind,
  actor: "ada@example.com",
  owner: "host:1:abc",
  startedAt: "2026-12-01T10:00:00.000Z",
  step: "starting",
  finishedAt: null,
  outcome: "running",
  error: null,
  live: false,
  ...over,
});
const recorded = (
  kind: RecordedOperation["kind"],
  over: Partial<RecordedOperation> = {},
): RecordedOperation => ({
  id: `${kind}-row`,
  kind,
  actor: "ada@example.com",
  startedAt: "2026-12-01T10:00:00.000Z",
  failed: null,
  previous: null,
  ...over,
});

describe("judgeInterrupted", () => {
  it("a stop whose database went away with it succeeded once the instance is STOPPED, never failed", () => {
    const judged = judgeInterrupted(
      row("stop"),
      snapshot(instance("STOPPED"), recorded("stop")),
      provisionedOutcomes,
    );
    expect(judged).toMatchObject({ action: "settle", outcome: "succeeded", error: null });
  });

  it("a stop a later start followed takes the outcome the start found, written on the instance", () => {
    const later = recorded("start", {
      id: "start-2",
      startedAt: "2026-12-01T11:00:00.000Z",
      previous: { id: "stop-row", outcome: "succeeded" },
    });
    expect(
      judgeInterrupted(row("stop"), snapshot(instance("AVAILABLE"), later), provisionedOutcomes),
    ).toMatchObject({
      action: "settle",
      outcome: "succeeded",
    });
  });

  it("a stop Databricks never heard of (the instance does not carry it) failed: interrupted, run it again", () => {
    const judged = judgeInterrupted(row("stop"), snapshot(instance("AVAILABLE")), provisionedOutcomes);
    expect(judged).toMatchObject({ action: "settle", outcome: "failed" });
    expect(judged.action === "settle" && judged.error).toMatch(/before Databricks was asked/);
  });

  it("a create or delete half-way is resumed; a stop still under way is watched", () => {
    expect(judgeInterrupted(row("delete"), snapshot(instance("AVAILABLE")), provisionedOutcomes).action).toBe(
      "resume",
    );
    const going = { ...snapshot(instance("AVAILABLE", true), recorded("stop")) };
    expect(judgeInterrupted(row("stop"), going, provisionedOutcomes).action).toBe("resume");
  });
});

describe("currentOperation", () => {
  it("the newer of the journal's row and the instance's record; a live row as it is", () => {
    const stop = row("stop", { outcome: "succeeded", finishedAt: "2026-12-01T10:01:00.000Z" });
    const start = recorded("start", { id: "start-2", startedAt: "2026-12-01T11:00:00.000Z" });
    expect(currentOperation(stop, snapshot(instance("STARTING"), start), provisionedOutcomes)).toMatchObject({
      id: "start-2",
      kind: "start",
      outcome: "running",
    });
    expect(currentOperation(stop, snapshot(instance("AVAILABLE"), start), provisionedOutcomes)).toMatchObject(
      {
        id: "start-2",
        outcome: "succeeded",
      },
    );
    const live = row("create", { live: true, step: "creating the synced table" });
    expect(currentOperation(live, snapshot(instance("AVAILABLE")), provisionedOutcomes)).toMatchObject({
      kind: "create",
      outcome: "running",
      step: "creating the synced table",
    });
  });

  it("says nothing it cannot back: no row, and a record the resources no longer explain", () => {
    expect(currentOperation(null, snapshot(null), provisionedOutcomes)).toBeNull();
    expect(
      currentOperation(null, snapshot(instance("DELETING"), recorded("create")), provisionedOutcomes),
    ).toBeNull();
    expect(
      currentOperation(null, snapshot(instance("DELETING"), recorded("delete")), provisionedOutcomes),
    ).toMatchObject({ kind: "delete", outcome: "running" });
  });
});

// Lakebase Autoscaling: a project has no tags, so the journal row is judged against the resources alone.
describe("judgeInterrupted on Autoscaling (autoscalingOutcomes)", () => {
  it("a stop or start is settled from the app's endpoint: disabled, or running again", () => {
    expect(judgeInterrupted(row("stop"), snapshot(instance("STOPPED")), autoscalingOutcomes)).toMatchObject({
      action: "settle",
      outcome: "succeeded",
    });
    expect(judgeInterrupted(row("stop"), snapshot(instance("AVAILABLE")), autoscalingOutcomes)).toMatchObject(
      {
        action: "settle",
        outcome: "failed",
      },
    );
    expect(
      judgeInterrupted(row("start"), snapshot(instance("AVAILABLE")), autoscalingOutcomes),
    ).toMatchObject({
      action: "settle",
      outcome: "succeeded",
    });
    expect(judgeInterrupted(row("start"), snapshot(instance("STARTING")), autoscalingOutcomes)).toMatchObject(
      {
        action: "resume",
      },
    );
  });

  it("a create goes on until the synced table is ONLINE; a delete until everything is gone", () => {
    expect(
      judgeInterrupted(row("create"), snapshot(instance("AVAILABLE")), autoscalingOutcomes),
    ).toMatchObject({
      action: "settle",
      outcome: "succeeded",
    });
    const halfway: ObservedSnapshot = { ...snapshot(instance("AVAILABLE")), syncedTable: null };
    expect(judgeInterrupted(row("create"), halfway, autoscalingOutcomes)).toMatchObject({ action: "resume" });
    expect(judgeInterrupted(row("delete"), snapshot(null), autoscalingOutcomes)).toMatchObject({
      action: "settle",
      outcome: "succeeded",
    });
    expect(judgeInterrupted(row("delete"), halfway, autoscalingOutcomes)).toMatchObject({ action: "resume" });
  });

  it("a branch or endpoint action is never resumed (its input was not kept): failed, with what to do", () => {
    for (const kind of ["branch.create", "endpoint.update", "data.attach"] as const) {
      const judged = judgeInterrupted(row(kind), snapshot(instance("AVAILABLE")), autoscalingOutcomes);
      expect(judged).toMatchObject({ action: "settle", outcome: "failed" });
      expect(judged.action === "settle" && judged.error).toMatch(/run the .* again/);
    }
  });
});
