import { useState } from "react";
import { ErrorMessage } from "../components/States.tsx";
import { describeError } from "../errors.ts";
import { useAdminMutations, useLakebaseProgress } from "../hooks/admin.ts";
import { useLakebaseStatus } from "../hooks/lakebase.ts";
import { ConfirmDialog } from "./ConfirmDialog.tsx";
import { CreateForm } from "./CreateForm.tsx";
import { DeleteDialog } from "./DeleteDialog.tsx";
import { ProgressView, ResourceCards } from "./ResourceCards.tsx";

type OpenDialog = "delete" | "stop" | "start" | null;

export function AdminPage() {
  const status = useLakebaseStatus(10_000);
  const progress = useLakebaseProgress(status.data);
  const actions = useAdminMutations(progress.watch);
  const [dialog, setDialog] = useState<OpenDialog>(null);

  if (status.isPending) return <p role="status">Loading Lakebase status…</p>;
  if (status.error)
    return <ErrorMessage info={describeError(status.error)} onRetry={() => void status.refetch()} />;
  const data = status.data;
  if (!data.viewer.isAdmin) {
    return (
      <section className="card" aria-labelledby="denied-title">
        <h2 id="denied-title">Admin console</h2>
        <p role="alert">
          {data.viewer.email ?? "You"} cannot manage Lakebase resources: only the admins listed in APP_ADMINS
          can.
        </p>
      </section>
    );
  }

  const { instance, catalog, syncedTable, config } = data;
  const anything = Boolean(instance || catalog || syncedTable);
  const complete = Boolean(instance && catalog && syncedTable);
  const running = data.operation?.outcome === "running";
  const closeDialog = () => {
    setDialog(null);
    actions.remove.reset();
    actions.stop.reset();
    actions.start.reset();
  };

  return (
    <>
      <header className="admin-header">
        <h2>Lakebase resources</h2>
        {!data.configured ? (
          <p className="muted">Databricks is not configured on this server: the console is read-only.</p>
        ) : null}
        <div className="actions">
          <button type="button" onClick={() => void status.refetch()}>
            Refresh
          </button>
          {instance && !instance.stopped ? (
            <button type="button" disabled={running} onClick={() => setDialog("stop")}>
              Stop instance
            </button>
          ) : null}
          {instance?.stopped ? (
            <button type="button" disabled={running} onClick={() => setDialog("start")}>
              Start instance
            </button>
          ) : null}
          {anything ? (
            <button type="button" className="danger" disabled={running} onClick={() => setDialog("delete")}>
              Delete…
            </button>
          ) : null}
        </div>
      </header>
      <ResourceCards status={data} />
      {progress.error ? <ErrorMessage info={describeError(progress.error)} /> : null}
      {data.operation || progress.live ? <ProgressView status={data} live={progress.live} /> : null}
      {!complete && data.configured ? (
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
      {actions.create.data ? (
        <section className="card" aria-labelledby="create-result">
          <h3 id="create-result">Create accepted</h3>
          <ul className="outcomes">
            {actions.create.data.resources.map((r) => (
              <li key={r.resource}>
                {r.resource} <code>{r.name}</code>: {r.outcome}
                {r.inBackground ? " (provisioning in the background)" : ""}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {dialog === "delete" ? (
        <DeleteDialog
          instanceName={config.instanceName}
          steps={[
            { resource: "syncedTable", name: config.syncedTable },
            { resource: "catalog", name: config.catalogName },
            { resource: "instance", name: config.instanceName },
          ]}
          live={{ syncedTable: Boolean(syncedTable), catalog: Boolean(catalog), instance: Boolean(instance) }}
          onConfirm={(confirmName) => actions.remove.mutate({ confirmName })}
          onClose={closeDialog}
          pending={actions.remove.isPending}
          outcomes={actions.remove.data?.steps ?? null}
          note={actions.remove.data?.note}
          error={actions.remove.error ? describeError(actions.remove.error) : null}
        />
      ) : null}
      {dialog === "stop" || dialog === "start" ? (
        <ConfirmDialog
          title={dialog === "stop" ? "Stop the instance?" : "Start the instance?"}
          body={
            dialog === "stop"
              ? `Stopping ${config.instanceName} saves compute cost; the app cannot read orders until it is started again.`
              : `Starting ${config.instanceName} resumes billing for its capacity; orders become readable once it is AVAILABLE.`
          }
          confirmLabel={dialog === "stop" ? "Stop instance" : "Start instance"}
          onConfirm={() =>
            (dialog === "stop" ? actions.stop : actions.start).mutate(undefined, { onSuccess: closeDialog })
          }
          onClose={closeDialog}
          pending={actions.stop.isPending || actions.start.isPending}
          error={
            (dialog === "stop" ? actions.stop.error : actions.start.error)
              ? describeError(dialog === "stop" ? actions.stop.error : actions.start.error)
              : null
          }
        />
      ) : null}
    </>
  );
}
