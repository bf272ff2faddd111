import { describeFailure } from "../admin/failures.ts";
import type { DeleteResult, DeleteStep, OperationView, ResourceKind } from "../admin/types.ts";
import { deletedOrNotFound, type Workflow } from "../operations/workflow.ts";

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
    w.lock.step(op, "deleting the synced table");
    const t = await api.getSyncedTable(names.syncedTable);
    if (!t) return "not_found";
    pipelineId = t.data_synchronization_status?.pipeline_id ?? null;
    if (!(await deletedOrNotFound(() => w.acting.deleteSyncedTable(names.syncedTable)))) return "not_found";
    w.lock.step(op, "waiting for the synced table to be gone");
    await w.wait(
      "the synced table to be gone",
      async () => (await api.getSyncedTable(names.syncedTable)) === null,
    );
    return "deleted";
  });
  await run("catalog", names.catalogName, async () => {
    w.lock.step(op, "deleting the database catalog");
    if (!(await deletedOrNotFound(() => w.acting.deleteCatalog(names.catalogName)))) return "not_found";
    w.lock.step(op, "waiting for the catalog to be gone");
    await w.wait("the catalog to be gone", async () => (await api.getCatalog(names.catalogName)) === null);
    return "deleted";
  });
  await run("instance", names.instanceName, async () => {
    w.lock.step(op, "deleting the instance");
    if (!(await deletedOrNotFound(() => w.acting.deleteInstance(names.instanceName)))) return "not_found";
    w.lock.step(op, "waiting for the instance to be gone");
    await w.wait("the instance to be gone", async () => (await api.getInstance(names.instanceName)) === null);
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
