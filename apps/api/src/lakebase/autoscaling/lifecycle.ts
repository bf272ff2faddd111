import type { PostgresApi } from "@lakebase-orders/lakebase-api";
import type { OperationView } from "../admin/types.ts";
import type { BackgroundOutcome } from "../operations/operations.ts";
import type { Workflow } from "../operations/workflow.ts";
import { provisionRest, startCreate } from "./provisioning.ts";
import type { AutoscalingTarget } from "./read.ts";
import { deleteAll } from "./teardown.ts";
import { type AutoscalingWorkflow, autoscalingWorkflow } from "./workflow.ts";

/**
 * Stop and start of an Autoscaling project as the app sees it: its read-write endpoint disabled (refuses
 * connections, its compute suspended; no connection wakes it) or enabled again (the next connection wakes
 * it). Waits for the endpoint's operation.
 */
export async function setDisabled(
  w: AutoscalingWorkflow,
  op: OperationView,
  disabled: boolean,
): Promise<void> {
  w.step(
    op,
    disabled ? "stopping: disabling the read-write endpoint" : "starting: enabling the read-write endpoint",
  );
  const started = await w.acting.updateEndpoint(w.target.endpoint, { disabled });
  w.invalidate();
  await w.operation(op, disabled ? "the endpoint to be disabled" : "the endpoint to be enabled", started);
  w.invalidate();
}

/**
 * How an Autoscaling operation a stopped process left is carried on (the recovery loop takes it over when
 * outcomes.ts says it has not reached its end): a create goes on from what exists (never making a new
 * project), a delete runs again (each step finds what is gone), a stop or start is asked again (the same
 * setting twice is harmless). A branch or endpoint action is never resumed (outcomes.ts settles it): its
 * input was not kept, and running it again is idempotent.
 */
export function autoscalingResume(
  target: AutoscalingTarget,
  onProvisioned: (() => Promise<void>) | undefined,
) {
  return async (op: OperationView, base: Workflow<PostgresApi>): Promise<BackgroundOutcome> => {
    const w = autoscalingWorkflow(base, target);
    switch (op.kind) {
      case "create": {
        const started = await startCreate(w, op, {}, { createProject: false });
        try {
          await provisionRest(w, op, started, onProvisioned);
          return { detail: started.result };
        } catch (failure) {
          return { detail: started.result, failure };
        }
      }
      case "delete": {
        const { result, done } = deleteAll(w, op);
        await done;
        const failed = result.steps.find((s) => s.outcome === "failed");
        return failed
          ? { detail: result, failure: new Error(`${failed.resource} ${failed.name}: ${failed.error}`) }
          : { detail: result };
      }
      case "stop":
      case "start":
        await setDisabled(w, op, op.kind === "stop");
        return { detail: { resumedAfterRestart: true } };
      default:
        return {
          detail: { interrupted: true },
          failure: new Error(
            `interrupted: its process stopped before it finished (was: ${op.step}); run it again`,
          ),
        };
    }
  };
}
