import { describe, expect, it } from "vitest";
import type { BranchView, EndpointView, LakebaseStatus } from "../../../api-types.ts";
import {
  branchState,
  computeProblem,
  cuRangeLabel,
  durationLabel,
  endpointState,
  expiryLabel,
  idProblem,
  pointInTimeOf,
  relativeTime,
  suspendLabel,
  toLocalInput,
} from "./autoscaling-format.ts";
import { branchGuard, busy, endpointGuard } from "./autoscaling-guard.ts";

const NOW = Date.parse("2026-12-07T12:00:00Z");

describe("autoscaling words", () => {
  it("says durations, compute sizes and scale to zero as people read them", () => {
    expect([45, 60, 300, 90, 5400, 3600, 86_400, 7 * 86_400, 90_000].map(durationLabel)).toEqual([
      "45 s",
      "1 min",
      "5 min",
      "1 min 30 s",
      "1 h 30 min",
      "1 h",
      "1 day",
      "7 days",
      "1 day 1 h",
    ]);
    expect(cuRangeLabel(0.5, 2)).toBe("0.5–2 CU");
    expect(cuRangeLabel(1, 1)).toBe("1 CU");
    expect(cuRangeLabel(null, 4)).toBe("4 CU");
    expect(cuRangeLabel(null, null)).toBe("—");
    expect(suspendLabel(300)).toBe("After 5 min idle");
    expect(suspendLabel(null)).toBe("Never (always running)");
  });

  it("tells an asleep endpoint from a stopped one, and a waking one from a broken one", () => {
    const e = (state: string | null, disabled = false) => ({
      state,
      detail: { disabled, type: "read-write" as const },
    });
    expect(endpointState(e("IDLE"))).toMatchObject({
      label: "Asleep",
      tone: "idle",
      note: expect.stringContaining("wakes on the next query"),
    });
    expect(endpointState(e("ACTIVE"))).toMatchObject({ label: "Running", tone: "ok", note: null });
    // Disabled wins over whatever the compute's state is: it refuses connections, it does not wake.
    expect(endpointState(e("IDLE", true))).toMatchObject({
      label: "Stopped",
      note: expect.stringContaining("refuses connections"),
    });
    expect(endpointState(e("INIT")).label).toBe("Being created");
    expect(endpointState(e("DEGRADED")).tone).toBe("bad");
    expect(endpointState(e("SOME_NEW_STATE")).label).toBe("Some new state");
    expect(branchState("READY")).toEqual({ label: "Ready", tone: "ok" });
    expect(branchState("INIT").tone).toBe("busy");
    expect(branchState(null).label).toBe("Unknown");
  });

  it("counts expiries down from now, and says an overdue one is being removed", () => {
    expect(expiryLabel(null, NOW)).toBe("Never (until deleted)");
    expect(expiryLabel(new Date(NOW + 3600_000 - 30_000).toISOString(), NOW)).toBe("Expires in 59 min");
    expect(expiryLabel(new Date(NOW + 2 * 86_400_000).toISOString(), NOW)).toBe("Expires in 2 days");
    expect(expiryLabel(new Date(NOW - 1000).toISOString(), NOW)).toBe("Expired: being removed");
    expect(relativeTime(NOW - 120_000, NOW)).toBe("2 min ago");
    expect(relativeTime(NOW + 30_000, NOW)).toBe("in 30 s");
  });

  it("checks compute sizes and ids as the service does", () => {
    expect(computeProblem(0.5, 2)).toBeNull();
    expect(computeProblem(0.5, 16.5)).toBeNull();
    expect(computeProblem(0.5, 17)).toBe("Max CU may be at most 16 above min CU.");
    expect(computeProblem(4, 2)).toBe("Max CU must be at least min CU.");
    expect(computeProblem(0.25, 2)).toBe("Min CU must be between 0.5 and 64.");
    expect(computeProblem(1, 1.3)).toBe("Max CU must be a multiple of 0.5.");
    expect(computeProblem(Number.NaN, 2)).toBe("Min CU must be between 0.5 and 64.");
    expect(idProblem("dev-1")).toBeNull();
    expect(idProblem("Dev")).toContain("Lowercase");
    expect(idProblem("1dev")).toContain("starting with a letter");
    expect(idProblem("")).toBe("Give it an id.");
    expect(idProblem(`a${"b".repeat(63)}`)).toBe("At most 63 characters.");
  });

  it("accepts a past time only inside the history window", () => {
    const week = 7 * 86_400;
    const local = (ms: number) => toLocalInput(ms);
    expect(pointInTimeOf(local(NOW - 3600_000), week, NOW)).toEqual({
      at: new Date(local(NOW - 3600_000)).getTime(),
      problem: null,
    });
    expect(pointInTimeOf(local(NOW + 120_000), week, NOW).problem).toBe(
      "The time must not be in the future.",
    );
    expect(pointInTimeOf(local(NOW - 8 * 86_400_000), week, NOW).problem).toContain("the last 7 days");
    expect(pointInTimeOf("", week, NOW).problem).toBe("Give a complete date and time.");
    expect(pointInTimeOf("2026-12-0", week, NOW).problem).toBe("Give a complete date and time.");
  });
});

const running: LakebaseStatus["operation"] = {
  id: "op1",
  kind: "branch.create",
  actor: "a@example.com",
  startedAt: new Date(NOW).toISOString(),
  finishedAt: null,
  step: "waiting for the branch to be READY",
  outcome: "running",
  error: null,
};

function branch(overrides: Partial<BranchView> = {}, detail: Partial<BranchView["detail"]> = {}): BranchView {
  return {
    kind: "branch",
    name: "projects/p/branches/dev",
    id: "dev",
    state: "READY",
    parent: "projects/p",
    inUse: false,
    createdAt: null,
    ...overrides,
    detail: {
      isDefault: false,
      isProtected: false,
      expiresAt: null,
      sourceBranch: "projects/p/branches/production",
      sourceBranchTime: null,
      logicalSizeBytes: null,
      ...detail,
    },
  };
}

function endpoint(type: "read-write" | "read-only", state = "ACTIVE"): EndpointView {
  return {
    kind: "endpoint",
    name: `projects/p/branches/dev/endpoints/${type === "read-write" ? "primary" : "reader"}`,
    id: type === "read-write" ? "primary" : "reader",
    state,
    parent: "projects/p/branches/dev",
    inUse: false,
    createdAt: null,
    detail: { type, minCu: 0.5, maxCu: 2, suspendTimeoutSeconds: 300, disabled: false, lastActiveAt: null },
  };
}

describe("autoscaling guard", () => {
  it("holds every action back while an operation runs, saying which and where it stands", () => {
    expect(busy(running)).toEqual({
      ok: false,
      reason:
        "A branch creation is in progress (waiting for the branch to be READY): other changes wait until it has finished.",
    });
    const g = branchGuard(branch(), running, true);
    expect([g.addEndpoint.ok, g.attach.ok, g.delete.ok]).toEqual([false, false, false]);
    expect(endpointGuard(endpoint("read-only"), running).update.ok).toBe(false);
    expect(busy({ ...running, outcome: "succeeded" }).ok).toBe(true);
  });

  it("never offers to delete the app's, the default or a protected branch, and says why", () => {
    expect(branchGuard(branch(), null, true)).toEqual({
      addEndpoint: { ok: true, reason: null },
      attach: { ok: true, reason: null },
      delete: { ok: true, reason: null },
    });
    expect(branchGuard(branch({ inUse: true }), null, true).delete.reason).toContain(
      "The app is bound to this branch",
    );
    expect(branchGuard(branch({ inUse: true }), null, true).attach.reason).toContain(
      "are on this branch already",
    );
    expect(branchGuard(branch({ inUse: true }), null, false).attach.ok).toBe(true);
    expect(branchGuard(branch({}, { isDefault: true }), null, true).delete.reason).toContain(
      "default branch",
    );
    expect(branchGuard(branch({}, { isProtected: true }), null, true).delete.reason).toContain("protected");
    const creating = branchGuard(branch({ state: "INIT" }), null, true);
    expect(creating.addEndpoint.reason).toBe("The branch is being created: wait until it is ready.");
    expect(creating.delete.ok).toBe(false);
  });

  it("keeps a branch's read-write endpoint, and waits for an endpoint being created", () => {
    expect(endpointGuard(endpoint("read-write"), null).delete.reason).toContain("delete the branch");
    expect(endpointGuard(endpoint("read-only"), null)).toEqual({
      update: { ok: true, reason: null },
      delete: { ok: true, reason: null },
      stopStart: null,
    });
    expect(endpointGuard(endpoint("read-only", "INIT"), null).update.ok).toBe(false);
    // Stop and start are the app's read-write endpoint's only (lakebase.stop/start act on it), never another's.
    expect(endpointGuard(endpoint("read-write"), null).stopStart).toBeNull();
    expect(endpointGuard({ ...endpoint("read-write"), inUse: true }, null).stopStart).toEqual({
      ok: true,
      reason: null,
    });
    expect(endpointGuard({ ...endpoint("read-write"), inUse: true }, running).stopStart?.ok).toBe(false);
    // Asleep is not a reason to refuse anything: the change wakes nothing and applies.
    expect(endpointGuard(endpoint("read-only", "IDLE"), null).update.ok).toBe(true);
  });
});
