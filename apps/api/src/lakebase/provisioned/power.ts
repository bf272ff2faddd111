import { type DatabaseInstance, isApiError } from "@lakebase-orders/lakebase-api";
import type { OperationView } from "../admin/types.ts";
import type { RecordedOperation } from "../operations/recorded.ts";
import type { Workflow } from "../operations/workflow.ts";
import { type InstanceStatus, instanceStatus } from "../status/snapshot.ts";
import { recordedOn, tagsOf, withOperation } from "./markers.ts";

// Stop and start: one PATCH, which also records the operation on the instance (its custom tags), then a wait
// until Databricks shows it done. The operation succeeds when the instance is STOPPED (a stop) or AVAILABLE
// (a start), not when the PATCH is accepted: until then the console says "stopping" or "starting".

/** The stop or start asked of Databricks (inside the request); the instance as the PATCH answered. */
export async function requestPower(
  w: Workflow,
  op: OperationView,
  stopped: boolean,
): Promise<InstanceStatus> {
  const { names } = w;
  w.step(op, stopped ? "stopping the instance" : "starting the instance");
  const before = await w.api.getInstance(names.instanceName);
  // No instance: the PATCH says so (404, with Databricks' own code) rather than this code guessing.
  const tags = before
    ? withOperation(tagsOf(before), op, { previous: previousOutcome(before, op) })
    : undefined;
  const updated = await w.acting.setStopped(names.instanceName, stopped, tags).catch((error: unknown) => {
    // A workspace that refuses the tags in this PATCH (a 400 naming the request) still gets the stop or
    // start: the outcome then rests on the journal and the instance's state alone.
    if (!tags || !isApiError(error) || error.statusCode !== 400) throw error;
    return w.acting.setStopped(names.instanceName, stopped);
  });
  w.invalidate();
  return instanceStatus(updated);
}

/** Waits (in the background) until the instance is where the stop or start takes it. */
export async function awaitPower(w: Workflow, op: OperationView, stopped: boolean): Promise<void> {
  const { api, names } = w;
  const target = stopped ? "STOPPED" : "AVAILABLE";
  w.step(op, `waiting for the instance to be ${target}`);
  await w.wait(op, `the instance to be ${target}`, async () => {
    const i = await api.getInstance(names.instanceName);
    if (!i)
      throw new Error(
        `the instance ${names.instanceName} disappeared while it was being ${stopped ? "stopped" : "started"}`,
      );
    return i.state === target;
  });
}

/**
 * How the stop or start the instance carries had ended when this one begins, for the instance's tags: a
 * process that restarts later finds how the earlier one ended there even when its journal row says running
 * (its database was stopped before the outcome could be written).
 */
function previousOutcome(instance: DatabaseInstance, op: OperationView): RecordedOperation["previous"] {
  const previous = recordedOn(instance);
  if (!previous || previous.id === op.id || (previous.kind !== "stop" && previous.kind !== "start")) {
    return null;
  }
  const status = instanceStatus(instance);
  const reached =
    previous.kind === "stop" ? status.state === "STOPPED" : status.state === "AVAILABLE" && !status.stopped;
  // Moving would have refused this operation (CONFLICT); anything else says nothing either way.
  return reached ? { id: previous.id, outcome: "succeeded" } : null;
}
