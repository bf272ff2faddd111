// Which Autoscaling actions the console offers now, and for each one held back, why in words (shown beside
// the disabled button). Only what is true decides: one operation at a time per project, a branch that is not
// ready yet takes no endpoint or data, and what the app is bound to, or the service keeps, cannot be deleted.
import type { BranchView, EndpointView, LakebaseStatus } from "../../../api-types.ts";
import { operationLabel } from "../../../labels.ts";
import { branchState } from "./autoscaling-format.ts";

/** An action: offered, or held back for a reason. */
export type Allowed = { ok: true; reason: null } | { ok: false; reason: string };

const YES: Allowed = { ok: true, reason: null };
const no = (reason: string): Allowed => ({ ok: false, reason });

/** While an operation runs nothing else starts (the API would refuse it with a conflict). */
export function busy(operation: LakebaseStatus["operation"]): Allowed {
  if (operation?.outcome !== "running") return YES;
  const kind = operationLabel(operation.kind).toLowerCase();
  return no(`A ${kind} is in progress (${operation.step}): other changes wait until it has finished.`);
}

function ready(branch: BranchView): Allowed {
  if (branch.state === "READY") return YES;
  return no(`The branch is ${branchState(branch.state).label.toLowerCase()}: wait until it is ready.`);
}

export interface BranchGuard {
  addEndpoint: Allowed;
  attach: Allowed;
  delete: Allowed;
}

export function branchGuard(
  branch: BranchView,
  operation: LakebaseStatus["operation"],
  /** Whether the app's catalog and synced table already exist (they live on the app's branch). */
  appDataPresent: boolean,
): BranchGuard {
  const running = busy(operation);
  if (!running.ok) return { addEndpoint: running, attach: running, delete: running };
  const isReady = ready(branch);
  const del = branch.inUse
    ? no("The app is bound to this branch: it cannot be deleted here (delete the whole project instead).")
    : branch.detail.isDefault
      ? no("The project's default branch cannot be deleted.")
      : branch.detail.isProtected
        ? no("The branch is protected: remove its protection in Databricks first.")
        : branch.state === "INIT"
          ? no("The branch is being created: it can be deleted once it is ready.")
          : YES;
  const attach = !isReady.ok
    ? isReady
    : branch.inUse && appDataPresent
      ? no("The app's catalog and synced table are on this branch already.")
      : YES;
  return { addEndpoint: isReady, attach, delete: del };
}

export interface EndpointGuard {
  update: Allowed;
  delete: Allowed;
  /**
   * Stop and start (disable, enable) are for the app's own read-write endpoint (`lakebase.stop`/`start`);
   * null for every other endpoint: no such action is offered there.
   */
  stopStart: Allowed | null;
}

export function endpointGuard(endpoint: EndpointView, operation: LakebaseStatus["operation"]): EndpointGuard {
  const ownRw = endpoint.inUse && endpoint.detail.type === "read-write";
  const running = busy(operation);
  if (!running.ok) return { update: running, delete: running, stopStart: ownRw ? running : null };
  const creating = endpoint.state === "INIT" ? no("The endpoint is being created: wait until it runs.") : YES;
  const del =
    endpoint.detail.type === "read-write"
      ? no("A branch keeps its read-write endpoint: delete the branch to remove it.")
      : creating;
  return { update: creating, delete: del, stopStart: ownRw ? creating : null };
}
