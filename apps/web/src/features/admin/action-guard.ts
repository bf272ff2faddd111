import type { LakebaseStatus } from "../../api-types.ts";
import { operationLabel, stateLabel } from "../../labels.ts";

/** Which instance actions the console offers now, and if one is held back, why (shown beside the buttons). */
export interface ActionGuard {
  stop: boolean;
  start: boolean;
  delete: boolean;
  /** Why an offered action is disabled, in words; null when nothing is held back. */
  reason: string | null;
}

type GuardInput = Pick<LakebaseStatus, "instance" | "operation">;

/**
 * What is true now decides: while an operation runs nothing else starts (its own words say which one and
 * where it stands), and an instance on its way somewhere (starting, stopping, updating) is left to get there.
 */
export function actionGuard({ instance, operation }: GuardInput): ActionGuard {
  if (operation?.outcome === "running") {
    const kind = operationLabel(operation.kind).toLowerCase();
    return {
      stop: false,
      start: false,
      delete: false,
      reason: `A ${kind} is in progress (${operation.step}): the actions are available again once it has finished.`,
    };
  }
  if (!instance) return { stop: false, start: false, delete: true, reason: null };
  const state = instance.stopped && instance.state !== "STOPPED" ? "STOPPING" : instance.state;
  if (state === "AVAILABLE") return { stop: true, start: false, delete: true, reason: null };
  if (state === "STOPPED") return { stop: false, start: true, delete: true, reason: null };
  if (state === "STARTING") {
    return {
      stop: false,
      start: false,
      delete: true,
      reason: "The instance is starting: it can be stopped once it is running.",
    };
  }
  if (state === "STOPPING") {
    return {
      stop: false,
      start: false,
      delete: true,
      reason: "The instance is stopping: it can be started again once it has stopped.",
    };
  }
  const label = stateLabel(state ?? "NOT_FOUND").label.toLowerCase();
  return {
    stop: false,
    start: false,
    delete: state !== "DELETING",
    reason: `The instance is ${label}: wait until it has finished.`,
  };
}
