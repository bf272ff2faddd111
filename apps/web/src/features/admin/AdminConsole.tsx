import { useState } from "react";
import type { LakebaseStatus } from "../../api-types.ts";
import { describeError } from "../../errors.ts";
import { ErrorMessage } from "../../ui/ErrorMessage.tsx";
import { actionGuard } from "./action-guard.ts";
import { CreateForm } from "./CreateForm.tsx";
import { CreateOutcome } from "./CreateOutcome.tsx";
import { type ActionDialog, InstanceDialogs } from "./InstanceDialogs.tsx";
import { ProgressView } from "./ProgressView.tsx";
import { ResourceCards } from "./ResourceCards.tsx";
import { useAdminMutations } from "./use-admin-mutations.ts";
import { useLakebaseProgress } from "./use-lakebase-progress.ts";

export interface AdminConsoleProps {
  status: LakebaseStatus;
  onRefresh: () => void;
}

/** The resources, the actions an admin may take on them, and the progress of the one running. */
export function AdminConsole({ status, onRefresh }: AdminConsoleProps) {
  const progress = useLakebaseProgress(status);
  const actions = useAdminMutations(progress.watch);
  const [dialog, setDialog] = useState<ActionDialog | null>(null);
  const { instance, catalog, syncedTable, config } = status;
  const anything = Boolean(instance || catalog || syncedTable);
  const complete = Boolean(instance && catalog && syncedTable);
  const running = status.operation?.outcome === "running";
  const guard = actionGuard(status);
  const why = guard.reason ? "admin-actions-why" : undefined;

  return (
    <>
      <div className="admin-header">
        {!status.configured ? (
          <p className="muted">Databricks is not configured on this server: the console is read-only.</p>
        ) : null}
        <div className="actions">
          <button type="button" onClick={onRefresh}>
            Refresh
          </button>
          {instance && !instance.stopped ? (
            <button
              type="button"
              disabled={!guard.stop}
              aria-describedby={guard.stop ? undefined : why}
              onClick={() => setDialog("stop")}
            >
              Stop instance
            </button>
          ) : null}
          {instance?.stopped ? (
            <button
              type="button"
              disabled={!guard.start}
              aria-describedby={guard.start ? undefined : why}
              onClick={() => setDialog("start")}
            >
              Start instance
            </button>
          ) : null}
          {anything ? (
            <button
              type="button"
              className="danger"
              disabled={!guard.delete}
              aria-describedby={guard.delete ? undefined : why}
              onClick={() => setDialog("delete")}
            >
              Delete…
            </button>
          ) : null}
        </div>
        {guard.reason ? (
          <p id="admin-actions-why" className="muted actions-why">
            {guard.reason}
          </p>
        ) : null}
      </div>
      <ResourceCards status={status} />
      {progress.error ? <ErrorMessage info={describeError(progress.error)} /> : null}
      {status.operation || progress.live ? <ProgressView status={status} live={progress.live} /> : null}
      {!complete && status.configured ? (
        <CreateForm
          onSubmit={(input) => actions.create.mutate(input)}
          pending={actions.create.isPending || running}
          error={actions.create.error ? describeError(actions.create.error) : null}
          names={{
            instance: config.instanceName,
            catalog: config.catalogName,
            syncedTable: config.syncedTable,
          }}
        />
      ) : null}
      {actions.create.data ? <CreateOutcome result={actions.create.data} /> : null}
      {dialog ? (
        <InstanceDialogs dialog={dialog} status={status} actions={actions} onClose={() => setDialog(null)} />
      ) : null}
    </>
  );
}
