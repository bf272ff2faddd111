import { isSyncedTableOnline } from "@lakebase-orders/shared";
import type { LakebaseStatus } from "../../api-types.ts";
import { operationLabel, resourceLabel } from "../../labels.ts";
import { useFormat } from "../../locale.ts";
import { ResourceStateBadge } from "../../ui/ResourceStateBadge.tsx";
import { SyncProgress } from "../../ui/SyncProgress.tsx";
import { OperationOutcome } from "./OperationOutcome.tsx";

const STEP_ORDER = ["instance", "catalog", "syncedTable"] as const;

/**
 * Where things stand: the current operation (or, once none runs, the last one, said as such), one line per
 * resource, the sync progress, and whether orders can be read now.
 */
export function ProgressView({ status, live }: { status: LakebaseStatus; live: boolean }) {
  const { operation, syncedTable, instance } = status;
  const { dateTime } = useFormat();
  const online = isSyncedTableOnline(syncedTable);
  const states: Record<(typeof STEP_ORDER)[number], string | null> = {
    instance: instance
      ? instance.stopped && instance.state !== "STOPPED"
        ? "STOPPING"
        : instance.state
      : null,
    catalog: status.catalog ? "ACTIVE" : null,
    syncedTable: syncedTable?.detailedState ?? syncedTable?.state ?? null,
  };
  const running = operation?.outcome === "running";
  return (
    <section className="card progress-view" aria-labelledby="progress-title" aria-live="polite">
      <h3 id="progress-title">Progress {live ? <span className="badge badge-busy">live</span> : null}</h3>
      {operation ? (
        <p className="operation-line" data-outcome={operation.outcome}>
          {running ? "Current operation" : "Last operation"}:{" "}
          <strong>{operationLabel(operation.kind)}</strong> by {operation.actor ?? "an admin"} —{" "}
          <OperationOutcome outcome={operation.outcome} />{" "}
          {running ? <span className="operation-step">{operation.step}</span> : null}
          {!running && operation.finishedAt ? (
            <span className="muted"> (finished {dateTime(operation.finishedAt)})</span>
          ) : null}
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
      <Readable status={status} online={online} />
    </section>
  );
}

/** Whether orders can be read now: an ONLINE table in a stopped instance cannot be. */
function Readable({ status, online }: { status: LakebaseStatus; online: boolean }) {
  const { instance } = status;
  if (!online || !instance) return null;
  if (instance.state === "AVAILABLE" && !instance.stopped) {
    return <p>The synced table is online: orders are readable.</p>;
  }
  if (instance.state === "STOPPED") {
    return <p>The instance is stopped: orders cannot be read until it is started again.</p>;
  }
  if (instance.stopped) return <p>The instance is stopping: orders cannot be read.</p>;
  return <p>The instance is starting: orders are readable again once it is running.</p>;
}
