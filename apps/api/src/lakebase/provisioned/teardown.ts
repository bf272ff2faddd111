import { describeFailure } from "../admin/failures.ts";
import type { DeleteResult, DeleteStep, OperationView, ResourceKind } from "../admin/types.ts";
import { isInterrupted } from "../operations/interrupted.ts";
import { deletedOrNotFound, type Workflow } from "../operations/workflow.ts";
import { tagsOf, withOperation } from "./markers.ts";

/**
 * Deletes synced table, catalog, instance, in that order, each after the previous one is gone (a catalog
 * with a synced table, or an instance with a catalog, cannot go first). A failed step skips the rest: what
 * is left still exists and the result says so.
 */
export async function deleteAll(w: Workflow, op: OperationView): Promise<DeleteResult> {
  const { api, names } = w;
  const steps: DeleteStep[] = [];
  let pipelineId: string | null = null;
  let failed = false;
  const run = async (resource: ResourceKind, name: string, work: () => Promise<"deleted" | "not_found">) => {
    if (failed) {
      steps.push({ resource, name, outcome: "skipped", error: "not attempted: an earlier step failed" });
      return;
    }
    try {
      steps.push({ resource, name, outcome: await work() });
    } catch (error) {
      // Stopped here (the app is closing, another process took the lease): no outcome, the next holder goes on.
      if (isInterrupted(error)) throw error;
      failed = true;
      const f = describeFailure(error);
      steps.push({
        resource,
        name,
        outcome: "failed",
        error: f.message,
        ...(f.databricks ? { databricks: f.databricks } : {}),
      });
    }
    w.invalidate();
  };

  await run("syncedTable", names.syncedTable, async () => {
    w.step(op, "deleting the synced table");
    const t = await api.getSyncedTable(names.syncedTable);
    if (!t) return "not_found";
    pipelineId = t.data_synchronization_status?.pipeline_id ?? null;
    if (!(await deletedOrNotFound(() => w.acting.deleteSyncedTable(names.syncedTable)))) return "not_found";
    w.step(op, "waiting for the synced table to be gone");
    await w.wait(
      op,
      "the synced table to be gone",
      async () => (await api.getSyncedTable(names.syncedTable)) === null,
    );
    return "deleted";
  });
  await run("catalog", names.catalogName, async () => {
    w.step(op, "deleting the database catalog");
    if (!(await deletedOrNotFound(() => w.acting.deleteCatalog(names.catalogName)))) return "not_found";
    w.step(op, "waiting for the catalog to be gone");
    await w.wait(
      op,
      "the catalog to be gone",
      async () => (await api.getCatalog(names.catalogName)) === null,
    );
    return "deleted";
  });
  await run("instance", names.instanceName, async () => {
    w.step(op, "deleting the instance");
    await markDelete(w, op);
    if (!(await deletedOrNotFound(() => w.acting.deleteInstance(names.instanceName)))) return "not_found";
    w.step(op, "waiting for the instance to be gone");
    await w.wait(
      op,
      "the instance to be gone",
      async () => (await api.getInstance(names.instanceName)) === null,
    );
    return "deleted";
  });

  return {
    operationId: op.id,
    steps,
    pipelineId,
    note: pipelineId
      ? `The sync pipeline ${pipelineId} may need manual cleanup on Databricks (Pipelines UI, or databricks pipelines delete ${pipelineId}).`
      : "No sync pipeline was found; if one was created earlier it may need manual cleanup on Databricks.",
  };
}

/**
 * Records the delete on the instance before it is asked to go: from then on the app's database (and its
 * journal) goes away, and a process restarted meanwhile must see a delete under way, never mistake the
 * create tag for an unfinished create. Best effort: the delete goes on without it (the instance's DELETING
 * state says as much).
 */
async function markDelete(w: Workflow, op: OperationView): Promise<void> {
  try {
    const instance = await w.api.getInstance(w.names.instanceName);
    if (!instance || instance.state === "DELETING") return;
    await w.acting.setTags(w.names.instanceName, withOperation(tagsOf(instance), op));
  } catch {
    // The delete goes on regardless: the instance's DELETING state says as much.
  }
}
