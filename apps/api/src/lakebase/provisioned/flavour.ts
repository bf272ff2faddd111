import type { OperationView } from "../admin/types.ts";
import type { BackgroundOutcome } from "../operations/operations.ts";
import type { Workflow } from "../operations/workflow.ts";
import { awaitPower } from "./power.ts";
import { provisionRest, startCreate } from "./provisioning.ts";
import { deleteAll } from "./teardown.ts";

export { provisionedOutcomes } from "./outcomes.ts";
export { readProvisioned } from "./snapshot-read.ts";

/**
 * How the Provisioned flavour carries on an operation a stopped process left: a create goes on from what
 * exists (never making a new instance), a delete runs again (each step finds what is gone), a stop or start is
 * watched until the instance gets there.
 */
export function provisionedResume(onProvisioned: (() => Promise<void>) | undefined) {
  return async (op: OperationView, w: Workflow): Promise<BackgroundOutcome> => {
    switch (op.kind) {
      case "create": {
        const result = await startCreate(
          w,
          op,
          { capacity: "CU_1", nodeCount: 1 },
          { createInstance: false },
        );
        try {
          await provisionRest(w, op, result, onProvisioned);
          return { detail: result };
        } catch (failure) {
          return { detail: result, failure };
        }
      }
      case "delete": {
        const result = await deleteAll(w, op);
        const failed = result.steps.find((s) => s.outcome === "failed");
        return failed
          ? { detail: result, failure: new Error(`${failed.resource} ${failed.name}: ${failed.error}`) }
          : { detail: result };
      }
      case "stop":
      case "start":
        await awaitPower(w, op, op.kind === "stop");
        return { detail: { watchedAfterRestart: true } };
      default:
        return {
          detail: { interrupted: true },
          failure: new Error(`a ${op.kind} is not an operation of a Provisioned instance`),
        };
    }
  };
}
