import { isSyncedTableOnline, isSyncFailed } from "@lakebase-orders/shared";
import { useId } from "react";
import type { BranchView, EndpointView, LakebaseStatus } from "../../../api-types.ts";
import { describeError } from "../../../errors.ts";
import { useFormat } from "../../../locale.ts";
import { ErrorMessage } from "../../../ui/ErrorMessage.tsx";
import { ResourceStateBadge } from "../../../ui/ResourceStateBadge.tsx";
import { SyncProgress } from "../../../ui/SyncProgress.tsx";
import { branchState, expiryLabel, idOf } from "./autoscaling-format.ts";
import { branchGuard } from "./autoscaling-guard.ts";
import { type EndpointAction, EndpointList } from "./EndpointList.tsx";

export type BranchAction = "endpoint.create" | "data.attach" | "branch.delete";

export interface BranchCardProps {
  branch: BranchView;
  /** The branch's endpoints: from the status for the app's branch, else from `lakebase.endpoints.list`. */
  endpoints: { data: readonly EndpointView[] | undefined; error: unknown };
  status: LakebaseStatus;
  now: number;
  onAction: (action: BranchAction) => void;
  onEndpoint: (action: EndpointAction, endpoint: EndpointView) => void;
}

/** One branch: where it came from, when it goes, its state, its endpoints and (the app's) its data. */
export function BranchCard({ branch, endpoints, status, now, onAction, onEndpoint }: BranchCardProps) {
  const { dateTime } = useFormat();
  const titleId = useId();
  const whyId = useId();
  const d = branch.detail;
  const state = branchState(branch.state);
  const appData = Boolean(status.catalog && status.syncedTable);
  const guard = branchGuard(branch, status.operation, appData);
  const running = status.operation?.outcome === "running";
  const reasons = running
    ? []
    : [
        ...new Set(
          [guard.addEndpoint.reason, guard.attach.reason, guard.delete.reason].filter((r) => r !== null),
        ),
      ];
  const describedBy = (ok: boolean) => (ok || reasons.length === 0 ? undefined : whyId);
  return (
    <section className="card as-branch" aria-labelledby={titleId} data-branch={branch.id}>
      <h3 id={titleId}>
        Branch <code>{branch.id}</code>{" "}
        <span className={`badge badge-${state.tone}`} title={branch.state ?? undefined}>
          {state.label}
        </span>
        {d.isDefault ? <span className="badge badge-idle">production</span> : null}
        {branch.inUse ? <span className="badge badge-ok">the app's</span> : null}
      </h3>
      <dl>
        <dt>Created from</dt>
        <dd>
          {d.sourceBranch ? (
            <>
              <code>{idOf(d.sourceBranch)}</code>{" "}
              {fromPast(d.sourceBranchTime, branch.createdAt)
                ? `as it was at ${dateTime(d.sourceBranchTime)}`
                : "at its head when created"}
            </>
          ) : (
            "— (the project's root)"
          )}
        </dd>
        <dt>Created</dt>
        <dd>{dateTime(branch.createdAt)}</dd>
        <dt>Expiry</dt>
        <dd title={d.expiresAt ?? undefined}>
          {expiryLabel(d.expiresAt, now)}
          {d.expiresAt && Date.parse(d.expiresAt) > now ? ` (${dateTime(d.expiresAt)})` : ""}
        </dd>
        {d.isProtected ? (
          <>
            <dt>Protected</dt>
            <dd>yes</dd>
          </>
        ) : null}
      </dl>
      <h4>Endpoints</h4>
      {endpoints.error ? (
        <ErrorMessage info={describeError(endpoints.error)} />
      ) : endpoints.data ? (
        <EndpointList endpoints={endpoints.data} operation={status.operation} onAction={onEndpoint} />
      ) : (
        <p className="muted" role="status">
          Loading the endpoints…
        </p>
      )}
      <h4>Data</h4>
      {branch.inUse ? (
        <AppData status={status} />
      ) : (
        <p className="muted">
          The console lists the app branch's catalog only. Attaching creates a catalog for this branch's
          database (<code>{`${status.config.catalogName}_${branch.id.replaceAll("-", "_")}`}</code>) and the
          orders synced table in it; attaching again finds them.
        </p>
      )}
      <div className="actions">
        <button
          type="button"
          disabled={!guard.addEndpoint.ok}
          aria-describedby={describedBy(guard.addEndpoint.ok)}
          onClick={() => onAction("endpoint.create")}
        >
          Add read-only endpoint…
        </button>
        <button
          type="button"
          disabled={!guard.attach.ok}
          aria-describedby={describedBy(guard.attach.ok)}
          onClick={() => onAction("data.attach")}
        >
          Attach data…
        </button>
        <button
          type="button"
          className="danger"
          aria-label={`Delete branch ${branch.id}`}
          disabled={!guard.delete.ok}
          aria-describedby={describedBy(guard.delete.ok)}
          onClick={() => onAction("branch.delete")}
        >
          Delete…
        </button>
      </div>
      {reasons.length > 0 ? (
        <p id={whyId} className="muted actions-why as-branch-why">
          {reasons.join(" ")}
        </p>
      ) : null}
    </section>
  );
}

/** Whether a branch was created from its parent's past (more than a moment before the branch itself). */
function fromPast(sourceTime: string | null, createdAt: string | null): boolean {
  if (!sourceTime) return false;
  const created = createdAt ? Date.parse(createdAt) : Number.NaN;
  return Number.isNaN(created) || created - Date.parse(sourceTime) > 5_000;
}

/** The app's catalog and synced table, on the app's branch, with the sync's progress while it runs. */
function AppData({ status }: { status: LakebaseStatus }) {
  const { catalog, syncedTable, config } = status;
  const { dateTime } = useFormat();
  const online = isSyncedTableOnline(syncedTable);
  return (
    <dl>
      <dt>Catalog</dt>
      <dd>
        <code>{config.catalogName}</code>{" "}
        {catalog ? <ResourceStateBadge state="ACTIVE" /> : <ResourceStateBadge state={null} />}
      </dd>
      <dt>Synced table</dt>
      <dd>
        <code>{config.syncedTable}</code>{" "}
        <ResourceStateBadge state={syncedTable ? (syncedTable.detailedState ?? syncedTable.state) : null} />
        {syncedTable && !online && syncedTable.progress ? (
          <SyncProgress
            label="Sync"
            syncedRows={syncedTable.progress.syncedRows}
            totalRows={syncedTable.progress.totalRows}
            fraction={syncedTable.progress.fraction}
          />
        ) : null}
      </dd>
      {syncedTable?.lastSyncAt ? (
        <>
          <dt>Last sync</dt>
          <dd>{dateTime(syncedTable.lastSyncAt)}</dd>
        </>
      ) : null}
      <dt>Orders</dt>
      <dd className="as-readable">{readable(status, online)}</dd>
    </dl>
  );
}

/**
 * Whether the app can read orders now, from the table and the app's read-write endpoint together (an online
 * table behind a stopped endpoint cannot be read; an asleep one can, after its wake).
 */
function readable(status: LakebaseStatus, online: boolean): string {
  const state = status.instance?.state;
  if (!status.instance) return "Not readable: the project is gone.";
  if (state === "STOPPED" || status.instance.stopped) {
    return "Not readable: the app's endpoint is stopped, until it is started again.";
  }
  if (state === "STARTING") return "Not readable yet: the app's endpoint is starting.";
  if (!status.syncedTable) return "Not readable: there is no synced table.";
  if (!online && isSyncFailed(status.syncedTable)) return "Not readable: the synced table's sync failed.";
  if (!online) return "Not readable yet: the synced table's first sync has not finished.";
  return "Readable.";
}
