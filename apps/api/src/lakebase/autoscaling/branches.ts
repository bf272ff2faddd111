import { isUnreachable } from "@lakebase-orders/db";
import {
  type BranchSpec,
  branchName,
  catalogName,
  type Duration,
  syncedTableName,
} from "@lakebase-orders/lakebase-api";
import { badRequest, preconditionFailed } from "../../errors/domain-error.ts";
import type { ActionResult, OperationView } from "../admin/types.ts";
import { ensureData, splitTable } from "./provisioning.ts";
import type { AutoscalingTarget } from "./read.ts";
import type { AttachInput, BranchCreateInput, BranchDeleteInput } from "./schemas.ts";
import {
  type AutoscalingWorkflow,
  createdBy,
  deletedBy,
  startedOrExisting,
  startedOrGone,
} from "./workflow.ts";

/**
 * What an action's request did, and the rest for the background (absent: nothing left, the operation is
 * done when the request answers).
 */
export interface ActionStart {
  resource: string;
  outcome: ActionResult["outcome"];
  databricksOperation: string | null;
  rest?: () => Promise<unknown>;
}

/** The catalog an admin attaches to a branch other than the app's: `<catalog>_<branch>` (a UC identifier). */
export function branchCatalogId(w: AutoscalingWorkflow, branchId: string): string {
  return branchId === w.target.branchId
    ? w.names.catalogName
    : `${w.names.catalogName}_${branchId.replaceAll("-", "_")}`;
}

/** The expiry of a new branch, exactly one of TTL, expire time or none. */
function expiryOf(input: BranchCreateInput): Pick<BranchSpec, "ttl" | "expire_time" | "no_expiry"> {
  if (input.ttlSeconds !== undefined) return { ttl: `${input.ttlSeconds}s` as Duration };
  if (input.expireTime !== undefined) return { expire_time: new Date(input.expireTime).toISOString() };
  return { no_expiry: true };
}

/**
 * A branch of the project: a copy of its parent (default: the project's default branch) at its head or at
 * `pointInTime`, with its own read-write endpoint, living until its TTL or expire time. A branch of that id
 * there already is `existing` (a retried create), and is waited for until READY like a new one.
 */
export async function createBranch(
  w: AutoscalingWorkflow,
  op: OperationView,
  input: BranchCreateInput,
): Promise<ActionStart> {
  const { target } = w;
  const name = branchName(target.projectId, input.branchId);
  w.step(op, `creating the branch ${input.branchId}`);
  const started = await startedOrExisting(() =>
    w.acting.createBranch(target.project, input.branchId, {
      ...(input.sourceBranchId ? { source_branch: branchName(target.projectId, input.sourceBranchId) } : {}),
      ...(input.pointInTime ? { source_branch_time: new Date(input.pointInTime).toISOString() } : {}),
      ...expiryOf(input),
    }),
  );
  w.invalidate();
  return {
    resource: name,
    outcome: started ? "started" : "existing",
    databricksOperation: started?.name ?? null,
    rest: async () => {
      const outcome = await createdBy(w, op, `the branch ${input.branchId}`, started);
      await w.wait(op, `the branch ${input.branchId} to be READY`, async () => {
        const b = await w.api.getBranch(name);
        if (!b) throw new Error(`the branch ${name} disappeared while it was being created`);
        return b.status?.current_state === "READY";
      });
      return { branch: name, outcome };
    },
  };
}

/**
 * What a branch delete must say before it takes the operation lock: the branch id typed again, and not the
 * app's own branch (the app would lose its database: delete the project instead).
 */
export function checkBranchDelete(target: AutoscalingTarget, input: BranchDeleteInput): void {
  if (input.confirmName !== input.branchId) {
    throw badRequest(`Type the branch id "${input.branchId}" to confirm the delete`);
  }
  if (input.branchId === target.branchId) {
    throw preconditionFailed(
      `The app is bound to the branch ${input.branchId}: deleting it would take its database away (delete the project instead, or bind the app elsewhere first)`,
    );
  }
}

/**
 * Deletes a branch (purged), its own data first: the synced table and catalog an admin attached to it
 * (`<catalog>_<branch>`), each after the previous one is gone. The app's own branch is refused: the app
 * would lose its database (delete the project instead); the root, default and protected branches are
 * Databricks' to refuse (400).
 */
export async function deleteBranch(
  w: AutoscalingWorkflow,
  op: OperationView,
  input: BranchDeleteInput,
): Promise<ActionStart> {
  const { target } = w;
  checkBranchDelete(target, input);
  const name = branchName(target.projectId, input.branchId);
  w.step(op, `checking the branch ${input.branchId}`);
  const branch = await w.api.getBranch(name);
  if (!branch || branch.status?.current_state === "DELETED") {
    return { resource: name, outcome: "not_found", databricksOperation: null };
  }
  const catalogId = branchCatalogId(w, input.branchId);
  const { schema, table } = splitTable(w.names.syncedTable);
  const syncedTable = syncedTableName(`${catalogId}.${schema}.${table}`);
  const catalog = catalogName(catalogId);
  // The data goes first, inside the request: a branch Databricks refuses to delete keeps its data too.
  w.step(op, `deleting the data attached to the branch ${input.branchId}`);
  await deletedBy(
    w,
    op,
    "the branch's synced table",
    await startedOrGone(() => w.acting.deleteSyncedTable(syncedTable)),
  );
  await deletedBy(w, op, "the branch's catalog", await startedOrGone(() => w.acting.deleteCatalog(catalog)));
  w.step(op, `deleting the branch ${input.branchId}`);
  const started = await startedOrGone(() => w.acting.deleteBranch(name, { purge: true }));
  w.invalidate();
  return {
    resource: name,
    outcome: started ? "started" : "not_found",
    databricksOperation: started?.name ?? null,
    rest: async () => {
      const outcome = await deletedBy(w, op, `the branch ${input.branchId}'s delete`, started);
      await w.wait(op, `the branch ${input.branchId} to be gone`, async () => {
        const b = await w.api.getBranch(name);
        return b === null || b.status?.current_state === "DELETED";
      });
      return { branch: name, outcome };
    },
  };
}

/**
 * A catalog and the orders synced table on a branch's database: on the app's branch, its own (what a create
 * makes); on another branch, `<catalog>_<branch>` unless named. Existing ones are kept.
 */
export async function attachData(
  w: AutoscalingWorkflow,
  op: OperationView,
  input: AttachInput,
  onAppBranch: (() => Promise<void>) | undefined,
): Promise<ActionStart> {
  const branchId = input.branchId ?? w.target.branchId;
  const branch = branchName(w.target.projectId, branchId);
  w.step(op, `checking the branch ${branchId}`);
  const found = await w.api.getBranch(branch);
  if (!found || found.status?.current_state === "DELETED") {
    throw preconditionFailed(`The branch ${branchId} does not exist: create it first`);
  }
  const catalogId = input.catalogName ?? branchCatalogId(w, branchId);
  return {
    resource: catalogName(catalogId),
    outcome: "started",
    databricksOperation: null,
    rest: async () => {
      const outcome = await ensureData(w, op, { branch, catalogId });
      if (branchId === w.target.branchId && onAppBranch) {
        // The app's own database got its table: the app's own tables follow, as after a create.
        await w.wait(op, "the app's own tables in the database", async () => {
          try {
            await onAppBranch();
            return true;
          } catch (error) {
            if (isUnreachable(error)) return false;
            throw error;
          }
        });
      }
      return { branch, catalogId, ...outcome };
    },
  };
}
