import {
  isAlreadyExists,
  isNotFound,
  type Operation,
  OperationFailedError,
  type PostgresApi,
} from "@lakebase-orders/lakebase-api";
import type { OperationView } from "../admin/types.ts";
import type { Workflow } from "../operations/workflow.ts";
import type { AutoscalingTarget } from "./read.ts";

/**
 * What the Autoscaling steps work with: the operations machinery's workflow over the `postgres` API (the
 * service principal's for reads and waits, the acting identity's for every change; every step and wait
 * checks the operation may go on: the app is not closing, its lease is still this process's), plus the
 * target and the wait for a `postgres` API operation.
 */
export interface AutoscalingWorkflow extends Workflow<PostgresApi> {
  readonly target: AutoscalingTarget;
  /**
   * Polls a `postgres` API operation until it is done: its resource, or its failure (OperationFailedError);
   * interrupted like every wait, and bounded by the step deadline (the operation goes on on Databricks).
   */
  operation<T>(op: OperationView, what: string, operation: Operation<T>): Promise<T>;
}

/** The Autoscaling workflow over a workflow of the operations machinery (`Operations.workflow`). */
export function autoscalingWorkflow(
  base: Workflow<PostgresApi>,
  target: AutoscalingTarget,
): AutoscalingWorkflow {
  return {
    ...base,
    target,
    // The step first, so the status says what is awaited (and an interrupted operation stops here).
    wait: (op, what, done) => {
      base.step(op, `waiting for ${what}`);
      return base.wait(op, what, done);
    },
    async operation<T>(op: OperationView, what: string, operation: Operation<T>): Promise<T> {
      base.step(op, `waiting for ${what}`);
      let current = operation;
      await base.wait(op, what, async () => {
        if (!current.done) current = await base.api.getOperation<T>(operation.name);
        return current.done === true;
      });
      if (current.error) throw new OperationFailedError(current.name, current.error);
      return current.response as T;
    },
  };
}

/** A create's first call: the operation Databricks started, or null when the resource exists already (409). */
export async function startedOrExisting<T>(
  create: () => Promise<Operation<T>>,
): Promise<Operation<T> | null> {
  try {
    return await create();
  } catch (error) {
    if (isAlreadyExists(error)) return null;
    throw error;
  }
}

/** A delete's first call: the operation Databricks started, or null when there was nothing to delete (404). */
export async function startedOrGone<T>(del: () => Promise<Operation<T>>): Promise<Operation<T> | null> {
  try {
    return await del();
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/**
 * Waits for a create's operation; one that failed because another caller created the resource meanwhile
 * (ALREADY_EXISTS) found what it came for.
 */
export async function createdBy<T>(
  w: AutoscalingWorkflow,
  op: OperationView,
  what: string,
  operation: Operation<T> | null,
): Promise<"created" | "existing"> {
  if (!operation) return "existing";
  try {
    await w.operation(op, what, operation);
    return "created";
  } catch (error) {
    if (isAlreadyExists(error)) return "existing";
    throw error;
  } finally {
    w.invalidate();
  }
}

/** Waits for a delete's operation; NOT_FOUND at the end means it is gone, which is what it came for. */
export async function deletedBy<T>(
  w: AutoscalingWorkflow,
  op: OperationView,
  what: string,
  operation: Operation<T> | null,
): Promise<"deleted" | "not_found"> {
  if (!operation) return "not_found";
  try {
    await w.operation(op, what, operation);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  } finally {
    w.invalidate();
  }
  return "deleted";
}
