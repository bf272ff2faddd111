import { branchName, type Duration, type EndpointSpec, endpointName } from "@lakebase-orders/lakebase-api";
import { badRequest } from "../../errors/domain-error.ts";
import type { OperationView } from "../admin/types.ts";
import type { ActionStart } from "./branches.ts";
import type { EndpointCreateInput, EndpointDeleteInput, EndpointUpdateInput } from "./schemas.ts";
import {
  type AutoscalingWorkflow,
  createdBy,
  deletedBy,
  startedOrExisting,
  startedOrGone,
} from "./workflow.ts";

/** The compute settings of an input as the API spells them (suspend timeout null: never suspend). */
function computeSpec(input: {
  minCu?: number | undefined;
  maxCu?: number | undefined;
  suspendTimeoutSeconds?: number | null | undefined;
}): EndpointSpec {
  return {
    ...(input.minCu !== undefined ? { autoscaling_limit_min_cu: input.minCu } : {}),
    ...(input.maxCu !== undefined ? { autoscaling_limit_max_cu: input.maxCu } : {}),
    ...(input.suspendTimeoutSeconds === null
      ? { no_suspension: true }
      : input.suspendTimeoutSeconds !== undefined
        ? { suspend_timeout_duration: `${input.suspendTimeoutSeconds}s` as Duration }
        : {}),
  };
}

const branchOf = (w: AutoscalingWorkflow, branchId: string | undefined) =>
  branchName(w.target.projectId, branchId ?? w.target.branchId);

/** Waits until the endpoint's compute runs (or idles: scaled to zero, a connection wakes it). */
async function untilRunning(w: AutoscalingWorkflow, op: OperationView, name: string) {
  await w.wait(op, `the endpoint ${name} to run`, async () => {
    const e = await w.api.getEndpoint(name);
    if (!e) throw new Error(`the endpoint ${name} disappeared while it was being created`);
    return (
      e.status?.disabled === true ||
      (e.status?.current_state !== "INIT" && e.status?.current_state !== undefined)
    );
  });
}

/**
 * A read-only endpoint on a branch (the app's by default): a compute serving reads of that branch, which
 * the app sends its orders reads to once it has one (lakebase-auth's discovery, at its next start). One of
 * that id there already is `existing` (a retried create).
 */
export async function createEndpoint(
  w: AutoscalingWorkflow,
  op: OperationView,
  input: EndpointCreateInput,
): Promise<ActionStart> {
  const branch = branchOf(w, input.branchId);
  const name = `${branch}/endpoints/${input.endpointId}`;
  w.step(op, `creating the read-only endpoint ${input.endpointId}`);
  const started = await startedOrExisting(() =>
    w.acting.createEndpoint(branch, input.endpointId, {
      endpoint_type: "ENDPOINT_TYPE_READ_ONLY",
      ...computeSpec(input),
    }),
  );
  w.invalidate();
  return {
    resource: name,
    outcome: started ? "started" : "existing",
    databricksOperation: started?.name ?? null,
    rest: async () => {
      const outcome = await createdBy(w, op, `the endpoint ${input.endpointId}`, started);
      await untilRunning(w, op, name);
      return { endpoint: name, outcome };
    },
  };
}

/**
 * Min/max CU and the suspend timeout of an endpoint (default: the app's read-write endpoint). Changing the
 * compute may briefly interrupt its connections (the app's reads retry once; writes answer 503).
 */
export async function updateEndpoint(
  w: AutoscalingWorkflow,
  op: OperationView,
  input: EndpointUpdateInput,
): Promise<ActionStart> {
  const name =
    input.endpointId === undefined && input.branchId === undefined
      ? w.target.endpoint
      : `${branchOf(w, input.branchId)}/endpoints/${input.endpointId ?? w.target.endpointId}`;
  w.step(op, `changing the compute of ${name}`);
  const started = await w.acting.updateEndpoint(name, computeSpec(input));
  w.invalidate();
  return {
    resource: name,
    outcome: "started",
    databricksOperation: started.name,
    rest: async () => {
      const endpoint = await w.operation(op, `the endpoint ${name} to take its settings`, started);
      w.invalidate();
      return { endpoint: name, settings: computeSpec(input), state: endpoint?.status?.current_state ?? null };
    },
  };
}

/** What an endpoint delete must say before it takes the operation lock: the endpoint id typed again. */
export function checkEndpointDelete(input: EndpointDeleteInput): void {
  if (input.confirmName !== input.endpointId) {
    throw badRequest(`Type the endpoint id "${input.endpointId}" to confirm the delete`);
  }
}

/**
 * Deletes a read-only endpoint. A branch's read-write endpoint goes only with its branch: Databricks refuses
 * it (400). Reads that went to it fall back to the primary (the replica fallback of the read path).
 */
export async function deleteEndpoint(
  w: AutoscalingWorkflow,
  op: OperationView,
  input: EndpointDeleteInput,
): Promise<ActionStart> {
  checkEndpointDelete(input);
  const name = endpointName(w.target.projectId, input.branchId ?? w.target.branchId, input.endpointId);
  w.step(op, `deleting the endpoint ${input.endpointId}`);
  const started = await startedOrGone(() => w.acting.deleteEndpoint(name));
  w.invalidate();
  return {
    resource: name,
    outcome: started ? "started" : "not_found",
    databricksOperation: started?.name ?? null,
    rest: async () => {
      const outcome = await deletedBy(w, op, `the endpoint ${input.endpointId}'s delete`, started);
      await w.wait(
        op,
        `the endpoint ${input.endpointId} to be gone`,
        async () => (await w.api.getEndpoint(name)) === null,
      );
      return { endpoint: name, outcome };
    },
  };
}
