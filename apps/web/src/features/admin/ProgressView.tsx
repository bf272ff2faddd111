import { isSyncedTableOnline } from "@lakebase-orders/shared";
import type { LakebaseStatus } from "../../api-types.ts";
import { operationLabel, resourceLabel } from "../../labels.ts";
import { ResourceStateBadge } from "../../ui/ResourceStateBadge.tsx";
import { SyncProgress } from "../../ui/SyncProgress.tsx";

const STEP_ORDER = ["instance", "catalog", "syncedTable"] as const;

/** Where a running operation stands: one line per resource, the current step, and the sync progress. */
export function ProgressView({ status, live }: { status: LakebaseStatus; live: boolean }) {
  const { operation, syncedTable } = status;
  const online = isSyncedTableOnline(syncedTable);
  const states: Record<(typeof STEP_ORDER)[number], string | null> = {
    instance: status.instance?.state ?? null,
    catalog: status.catalog ? "ACTIVE" : null,
    syncedTable: syncedTable?.detailedState ?? syncedTable?.state ?? null,
  };
  return (
    <section className="card progress-view" aria-labelledby="progress-title" aria-live="polite">
      <h3 id="progress-title">Progress {live ? <span className="badge badge-busy">live</span> : null}</h3>
      {operation ? (
        <p>
          Last operation: <strong>{operationLabel(operation.kind)}</strong> by {operation.actor ?? "an admin"}{" "}
          —{" "}
          <ResourceStateBadge
            state={
              operation.outcome === "running"
                ? "RUNNING"
                : operation.outcome === "failed"
                  ? "FAILED"
                  : "SUCCEEDED"
            }
          />{" "}
          {operation.outcome === "running" ? operation.step : null}
          {operation.error ? <span className="error-inline"> {operation.error}</span> : null}
        </p>
      ) : null}
      <ol className="steps">
        {STEP_ORDER.map((step) => (
          <li key={step}>
            {resourceLabel(step)}: <ResourceStateBadge state={states[step]} />
          </li>
        ))}
      </ol>
      {syncedTable && !online && syncedTable.progress ? (
        <SyncProgress
          label="Initial sync"
          syncedRows={syncedTable.progress.syncedRows}
          totalRows={syncedTable.progress.totalRows}
          fraction={syncedTable.progress.fraction}
        />
      ) : null}
      {online ? <p>The synced table is online: orders are readable.</p> : null}
    </section>
  );
}
