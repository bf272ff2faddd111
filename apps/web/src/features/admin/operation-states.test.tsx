import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { LakebaseStatus } from "../../api-types.ts";
import { actionGuard } from "./action-guard.ts";
import { ProgressView } from "./ProgressView.tsx";

afterEach(cleanup);

type Operation = NonNullable<LakebaseStatus["operation"]>;
type Instance = NonNullable<LakebaseStatus["instance"]>;

const instance = (state: string, stopped = false): Instance => ({
  name: "orders-db",
  state,
  capacity: "CU_1",
  nodeCount: 1,
  readWriteDns: null,
  pgVersion: "PG_VERSION_16",
  stopped,
  createdAt: null,
});

const operation = (kind: Operation["kind"], outcome: Operation["outcome"], extra: Partial<Operation> = {}) =>
  ({
    id: `${kind}-${outcome}`,
    kind,
    actor: "ada@example.com",
    startedAt: "2026-12-01T10:00:00.000Z",
    finishedAt: outcome === "running" ? null : "2026-12-01T10:01:00.000Z",
    step: outcome === "running" ? "waiting for the instance to be AVAILABLE" : "done",
    outcome,
    error: outcome === "failed" ? "Databricks is unavailable, try again" : null,
    ...extra,
  }) satisfies Operation;

const online = {
  name: "c.public.orders_synced",
  state: "ACTIVE",
  detailedState: "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE",
  progress: null,
  lastSyncAt: null,
  pipelineId: null,
  message: null,
};

function statusWith(op: Operation | null, inst: Instance | null): LakebaseStatus {
  return {
    configured: true,
    config: {
      instanceName: "orders-db",
      catalogName: "c",
      databaseName: "d",
      syncedTable: "c.public.orders_synced",
      sourceTable: "samples.tpch.orders",
      storageCatalog: "main",
      storageSchema: "default",
    },
    instance: inst,
    catalog: { name: "c", databaseName: "d" },
    syncedTable: online,
    operation: op,
    fetchedAt: "2026-12-01T10:01:00.000Z",
    api: { ok: true, error: null, failingSince: null, databricks: null },
    viewer: { email: "ada@example.com", actor: "ada@example.com", isAdmin: true },
  } as LakebaseStatus;
}

describe("the progress card", () => {
  it("tells running, succeeded and failed apart by word, sign and tone, and says which is current", () => {
    const looks = (["running", "succeeded", "failed"] as const).map((outcome) => {
      const { container, unmount } = render(
        <ProgressView status={statusWith(operation("start", outcome), instance("AVAILABLE"))} live={false} />,
      );
      const badge = container.querySelector(".operation-outcome");
      const line = container.querySelector(".operation-line")?.textContent ?? "";
      const look = { text: badge?.textContent, tone: badge?.className, line };
      unmount();
      return look;
    });
    expect(looks.map((l) => l.text)).toEqual(["… In progress", "✓ Succeeded", "✕ Failed"]);
    expect(looks.map((l) => l.tone?.match(/badge-(\w+)/)?.[1])).toEqual(["busy", "ok", "bad"]);
    expect(looks[0]?.line).toMatch(
      /^Current operation: Start by ada@example\.com — … In progress waiting for/,
    );
    expect(looks[1]?.line).toMatch(/^Last operation: Start/);
    expect(looks[2]?.line).toMatch(/Databricks is unavailable, try again$/);
  });

  it("does not call a table in a stopped or starting instance readable", () => {
    render(
      <ProgressView
        status={statusWith(operation("stop", "succeeded"), instance("STOPPED", true))}
        live={false}
      />,
    );
    expect(screen.queryByText(/orders are readable/)).toBeNull();
    expect(screen.getByText(/The instance is stopped: orders cannot be read/)).toBeTruthy();
    cleanup();
    render(<ProgressView status={statusWith(operation("start", "running"), instance("STARTING"))} live />);
    expect(screen.queryByText(/orders are readable\./)).toBeNull();
    expect(screen.getByText(/Current operation/)).toBeTruthy();
  });
});

describe("the console's actions", () => {
  it("while a start runs: no stop, no delete, and the reason names the start and its step", () => {
    const guard = actionGuard({ instance: instance("STARTING"), operation: operation("start", "running") });
    expect(guard).toMatchObject({ stop: false, start: false, delete: false });
    expect(guard.reason).toBe(
      "A start is in progress (waiting for the instance to be AVAILABLE): the actions are available again once it has finished.",
    );
  });

  it("an instance on its way (started or stopped elsewhere) holds its opposite back, saying why", () => {
    expect(actionGuard({ instance: instance("STARTING"), operation: null })).toMatchObject({
      stop: false,
      reason: "The instance is starting: it can be stopped once it is running.",
    });
    expect(actionGuard({ instance: instance("AVAILABLE", true), operation: null })).toMatchObject({
      start: false,
      reason: "The instance is stopping: it can be started again once it has stopped.",
    });
    expect(actionGuard({ instance: instance("AVAILABLE"), operation: operation("stop", "failed") })).toEqual({
      stop: true,
      start: false,
      delete: true,
      reason: null,
    });
  });
});
