import type { LakebaseStatus } from "../../api-types.ts";
import { capacityLabel, pgVersionLabel } from "../../labels.ts";
import { useFormat } from "../../locale.ts";
import { ResourceStateBadge } from "../../ui/ResourceStateBadge.tsx";

function Missing({ what }: { what: string }) {
  return <p className="muted">No {what}: it does not exist (or was deleted).</p>;
}

/** Instance, catalog and synced table side by side, each with its state. */
export function ResourceCards({ status }: { status: LakebaseStatus }) {
  const { dateTime: formatDateTime } = useFormat();
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
              <ResourceStateBadge
                state={instance.stopped && instance.state !== "STOPPED" ? "STOPPING" : instance.state}
              />
            </dd>
            <dt>Capacity</dt>
            <dd title={instance.capacity ?? undefined}>
              {instance.capacity ? capacityLabel(instance.capacity) : "—"}
            </dd>
            <dt>Nodes</dt>
            <dd>{instance.nodeCount ?? "—"}</dd>
            <dt>DNS</dt>
            <dd>{instance.readWriteDns ?? "—"}</dd>
            <dt>Version</dt>
            <dd title={instance.pgVersion ?? undefined}>
              {instance.pgVersion ? pgVersionLabel(instance.pgVersion) : "—"}
            </dd>
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
              <ResourceStateBadge state="ACTIVE" />
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
              <ResourceStateBadge state={syncedTable.detailedState ?? syncedTable.state} />
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
