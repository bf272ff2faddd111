import { tracked } from "@trpc/server";
import { describe, expect, it } from "vitest";
import type { LakebaseStatus } from "../lakebase/admin/types.ts";
import { availabilityOf } from "../lakebase/status/availability-policy.ts";
import { progressFor, statusFor } from "./visible-status.ts";

const names = {
  instanceName: "orders",
  catalogName: "cat",
  databaseName: "orders",
  syncedTable: "cat.public.orders_synced",
  sourceTable: "samples.tpch.orders",
  storageCatalog: "main",
  storageSchema: "default",
  autoscaling: null,
};

const status: LakebaseStatus = {
  configured: true,
  flavour: "provisioned",
  resources: [],
  config: names,
  instance: {
    name: "orders",
    state: "AVAILABLE",
    capacity: "CU_1",
    nodeCount: 1,
    readWriteDns: "instance-1234.database.cloud.databricks.com",
    pgVersion: "PG_VERSION_16",
    stopped: false,
    createdAt: null,
  },
  catalog: { name: "cat", databaseName: "orders" },
  syncedTable: {
    name: "cat.public.orders_synced",
    state: "FAILED",
    detailedState: "SYNCED_TABLE_OFFLINE_FAILED",
    progress: null,
    lastSyncAt: null,
    pipelineId: "pipeline-5678",
    message: "Pipeline failed: permission denied for storage s3://bucket/ada@example.com",
  },
  operation: {
    id: "op-1",
    kind: "create",
    actor: "ada@example.com",
    startedAt: "2026-11-27T00:00:00Z",
    finishedAt: "2026-11-27T00:01:00Z",
    step: "done",
    outcome: "failed",
    error: "Databricks said: INVALID_PARAMETER_VALUE at instance-1234.database.cloud.databricks.com",
  },
  fetchedAt: "2026-11-27T00:02:00Z",
  api: {
    ok: false,
    error: "RESOURCE_EXHAUSTED at instance-1234.database.cloud.databricks.com for ada@example.com",
    failingSince: "2026-11-27T00:01:30Z",
    databricks: { errorCode: "RESOURCE_EXHAUSTED", statusCode: 429 },
  },
};

const leaks = (value: unknown) => {
  const text = JSON.stringify(value);
  return [
    "ada@example.com",
    "instance-1234",
    "pipeline-5678",
    "permission denied",
    "INVALID_PARAMETER",
  ].filter((s) => text.includes(s));
};

describe("what a status shows to whom", () => {
  it("shows admins everything", () => {
    expect(statusFor(status, true)).toBe(status);
  });

  it("shows others states and progress, but no e-mail, host name or Databricks text", () => {
    const view = statusFor(status, false);
    expect(leaks(view)).toEqual([]);
    expect(view.instance).toMatchObject({ state: "AVAILABLE", readWriteDns: null });
    expect(view.syncedTable).toMatchObject({ detailedState: "SYNCED_TABLE_OFFLINE_FAILED", message: null });
    expect(view.operation).toMatchObject({ kind: "create", outcome: "failed", actor: null });
    expect(view.operation?.error).toMatch(/shown to admins/);
    expect(view.api).toMatchObject({ ok: false, failingSince: "2026-11-27T00:01:30Z" });
    expect(view.api.error).toMatch(/shown to admins/);
  });

  it("does the same to every event of a progress stream, keeping the event ids", async () => {
    async function* events() {
      yield tracked("boot:1", status);
      yield tracked("boot:2", { ...status, operation: null });
    }
    const seen: [string, unknown][] = [];
    for await (const [id, data] of progressFor(events(), false)) seen.push([id, data]);
    expect(seen.map(([id]) => id)).toEqual(["boot:1", "boot:2"]);
    expect(leaks(seen)).toEqual([]);
  });

  it("tells orders readers that the sync failed, without the pipeline's message", () => {
    const availability = availabilityOf(status, null, names);
    expect(availability).toMatchObject({ available: false });
    expect(leaks(availability)).toEqual([]);
  });
});
