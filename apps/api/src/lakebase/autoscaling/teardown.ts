import { catalogName, syncedTableName } from "@lakebase-orders/lakebase-api";
import { describeFailure } from "../admin/failures.ts";
import type { DeleteResult, DeleteStep, OperationView, ResourceKind } from "../admin/types.ts";
import { isInterrupted } from "../operations/interrupted.ts";
import { type AutoscalingWorkflow, deletedBy, startedOrGone } from "./workflow.ts";

/** A delete under way: its result, filled in step by step, and the end of its last step. */
export interface RunningDelete {
  result: DeleteResult;
  done: Promise<void>;
}

const ORDER: { resource: ResourceKind; label: string }[] = [
  { resource: "syncedTable", label: "the synced table" },
  { resource: "catalog", label: "the catalog" },
  { resource: "project", label: "the project" },
];

/**
 * Deletes in dependency order, each after the previous one is gone: the synced table, the catalog, then the
 * project (purged: with every branch, endpoint, database and role; a soft delete would keep its id taken for
 * days). A failed step skips the rest: what is left still exists and the result says so. Returns at once;
 * `result.steps` fills in as the steps end (see `answerWithin`).
 */
export function deleteAll(w: AutoscalingWorkflow, op: OperationView): RunningDelete {
  const { api, target, names } = w;
  const table = syncedTableName(names.syncedTable);
  const catalog = catalogName(names.catalogName);
  const result: DeleteResult = {
    operationId: op.id,
    steps: [],
    pipelineId: null,
    note: "No sync pipeline was found; if one was created earlier it may need manual cleanup on Databricks.",
  };
  let failed = false;
  const run = async (resource: ResourceKind, name: string, work: () => Promise<"deleted" | "not_found">) => {
    const step: DeleteStep = failed
      ? { resource, name, outcome: "skipped", error: "not attempted: an earlier step failed" }
      : await work().then(
          (outcome): DeleteStep => ({ resource, name, outcome }),
          (error: unknown): DeleteStep => {
            // Not a failure of the step: the operation stops here for its next holder to carry on.
            if (isInterrupted(error)) throw error;
            failed = true;
            const f = describeFailure(error);
            return {
              resource,
              name,
              outcome: "failed",
              error: f.message,
              ...(f.databricks ? { databricks: f.databricks } : {}),
            };
          },
        );
    result.steps.push(step);
    w.invalidate();
  };

  const done = (async () => {
    await run("syncedTable", names.syncedTable, async () => {
      w.step(op, "deleting the synced table");
      const t = await api.getSyncedTable(table);
      if (!t) return "not_found";
      const pipelineId = t.status?.pipeline_id ?? null;
      if (pipelineId) {
        result.pipelineId = pipelineId;
        result.note = `The sync pipeline ${pipelineId} may need manual cleanup on Databricks (Pipelines UI, or databricks pipelines delete ${pipelineId}).`;
      }
      const outcome = await deletedBy(
        w,
        op,
        "the synced table's delete",
        await startedOrGone(() => w.acting.deleteSyncedTable(table)),
      );
      await w.wait(op, "the synced table to be gone", async () => (await api.getSyncedTable(table)) === null);
      return outcome;
    });
    await run("catalog", names.catalogName, async () => {
      w.step(op, "deleting the database catalog");
      const outcome = await deletedBy(
        w,
        op,
        "the catalog's delete",
        await startedOrGone(() => w.acting.deleteCatalog(catalog)),
      );
      await w.wait(op, "the catalog to be gone", async () => (await api.getCatalog(catalog)) === null);
      return outcome;
    });
    await run("project", target.project, async () => {
      w.step(op, "deleting the project with its branches and endpoints");
      const started = await startedOrGone(() => w.acting.deleteProject(target.project, { purge: true }));
      const outcome = await deletedBy(w, op, "the project's delete", started);
      await w.wait(op, "the project to be gone", async () => {
        const p = await api.getProject(target.project);
        return p === null || Boolean(p.delete_time);
      });
      return outcome;
    });
  })();
  return { result, done };
}

/**
 * The delete's answer within `ms`: its result when it has ended by then, else (null) the result so far with
 * the steps still to come as `deleting` (Databricks' deletes go on; a project's stops every compute of every
 * branch, which may take longer than a request should).
 */
export async function answerWithin(d: RunningDelete, ms: number, names: Record<ResourceKind, string>) {
  let timer: NodeJS.Timeout | undefined;
  const inTime = await Promise.race([
    d.done.then(() => true),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  if (inTime) return { result: d.result, finished: true };
  const seen = new Set(d.result.steps.map((s) => s.resource));
  const pending: DeleteStep[] = ORDER.filter((o) => !seen.has(o.resource)).map((o) => ({
    resource: o.resource,
    name: names[o.resource],
    outcome: "deleting",
  }));
  return { result: { ...d.result, steps: [...d.result.steps, ...pending] }, finished: false };
}
