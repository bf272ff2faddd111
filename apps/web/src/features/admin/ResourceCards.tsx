import { SyncProgress } from "../components/States.tsx";
import { StateBadge } from "../components/StatusBadge.tsx";
import { formatDateTime } from "../format.ts";
import type { LakebaseStatus } from "./types.ts";

function Missing({ what }: { what: string }) {
  return <p className="muted">No {what}: it does not exist (or was deleted).</p>;
}

/** Instance, catalog and synced table side by side, each with its state. */
export function ResourceCards({ status }: { status: LakebaseStatus }) {
  const { instance, catalog, syncedTable, config } = status;
  return (
    <div className="cards">
      <section className="card" aria-labelledby="card-instance">
        <h3 id="card-instance">
          Instance <code>{config.instanceName}</code>
        </h3>
        {instance ? (
          <dl>
            <dt>State</dt>
            <dd>
              <StateBadge
                state={instance.stopped && instance.state !== "STOPPED" ? "STOPPING" : instance.state}
              />
            </dd>
            <dt>Capacity</dt>
            <dd>{instance.capacity ?? "—"}</dd>
            <dt>Nodes</dt>
            <dd>{instance.nodeCount ?? "—"}</dd>
            <dt>DNS</dt>
            <dd>{instance.readWriteDns ?? "—"}</dd>
            <dt>PostgreSQL</dt>
            <dd>{instance.pgVersion ?? "—"}</dd>
            <dt>Created</dt>
            <dd>{formatDateTime(instance.createdAt)}</dd>
          </dl>
        ) : (
          <Missing what="instance" />
        )}
      </section>
      <section className="card" aria-labelledby="card-catalog">
        <h3 id="card-catalog">
          Catalog <code>{config.catalogName}</code>
        </h3>
        {catalog ? (
          <dl>
            <dt>State</dt>
            <dd>
              <StateBadge state="ACTIVE" />
            </dd>
            <dt>Database</dt>
            <dd>{catalog.databaseName}</dd>
          </dl>
        ) : (
          <Missing what="catalog" />
        )}
      </section>
      <section className="card" aria-labelledby="card-table">
        <h3 id="card-table">
          Synced table <code>{config.syncedTable}</code>
        </h3>
        {syncedTable ? (
          <dl>
            <dt>State</dt>
            <dd>
              <StateBadge state={syncedTable.detailedState ?? syncedTable.state} />
            </dd>
            <dt>Source</dt>
            <dd>{config.sourceTable}</dd>
            <dt>Last sync</dt>
            <dd>{formatDateTime(syncedTable.lastSyncAt)}</dd>
            <dt>Pipeline</dt>
            <dd>{syncedTable.pipelineId ?? "—"}</dd>
            {syncedTable.message ? (
              <>
                <dt>Message</dt>
                <dd>{syncedTable.message}</dd>
              </>
            ) : null}
          </dl>
        ) : (
          <Missing what="synced table" />
        )}
      </section>
    </div>
  );
}

const STEP_ORDER = ["instance", "catalog", "syncedTable"] as const;

/** Where a running operation stands: one line per resource, the current step, and the sync progress. */
export function ProgressView({ status, live }: { status: LakebaseStatus; live: boolean }) {
  const { operation, syncedTable } = status;
  const online = Boolean(syncedTable?.detailedState?.startsWith("SYNCED_TABLE_ONLINE"));
  const states: Record<(typeof STEP_ORDER)[number], string | null> = {
    instance: status.instance?.state ?? null,
    catalog: status.catalog ? "ACTIVE" : null,
    syncedTable: syncedTable?.detailedState ?? syncedTable?.state ?? null,
  };
  const labels = { instance: "Instance", catalog: "Catalog", syncedTable: "Synced table" };
  return (
    <section className="card progress-view" aria-labelledby="progress-title" aria-live="polite">
      <h3 id="progress-title">Progress {live ? <span className="badge badge-busy">live</span> : null}</h3>
      {operation ? (
        <p>
          Last operation: <strong>{operation.kind}</strong> by {operation.actor} —{" "}
          <StateBadge
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
            {labels[step]}: <StateBadge state={states[step]} />
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
