import type { LakebaseStatus } from "../../api-types.ts";
import { describeError } from "../../errors.ts";
import { ConfirmDialog } from "./ConfirmDialog.tsx";
import { DeleteDialog } from "./DeleteDialog.tsx";
import type { AdminMutations } from "./use-admin-mutations.ts";

export type ActionDialog = "delete" | "stop" | "start";

export interface InstanceDialogsProps {
  dialog: ActionDialog;
  status: LakebaseStatus;
  actions: AdminMutations;
  onClose: () => void;
}

/** The confirmation step of delete (type-to-confirm), stop and start. */
export function InstanceDialogs({ dialog, status, actions, onClose }: InstanceDialogsProps) {
  const { config, syncedTable, catalog, instance } = status;
  const close = () => {
    onClose();
    actions.remove.reset();
    actions.stop.reset();
    actions.start.reset();
  };

  if (dialog === "delete") {
    return (
      <DeleteDialog
        instanceName={config.instanceName}
        steps={[
          { resource: "syncedTable", name: config.syncedTable },
          { resource: "catalog", name: config.catalogName },
          { resource: "instance", name: config.instanceName },
        ]}
        live={{ syncedTable: Boolean(syncedTable), catalog: Boolean(catalog), instance: Boolean(instance) }}
        onConfirm={(confirmName) => actions.remove.mutate({ confirmName })}
        onClose={close}
        pending={actions.remove.isPending}
        outcomes={actions.remove.data?.steps ?? null}
        note={actions.remove.data?.note}
        error={actions.remove.error ? describeError(actions.remove.error) : null}
      />
    );
  }

  const stopping = dialog === "stop";
  const mutation = stopping ? actions.stop : actions.start;
  return (
    <ConfirmDialog
      title={stopping ? "Stop the instance?" : "Start the instance?"}
      body={
        stopping
          ? `Stopping ${config.instanceName} saves compute cost; the app cannot read orders until it is started again.`
          : `Starting ${config.instanceName} resumes billing for its capacity; orders become readable once it is AVAILABLE.`
      }
      confirmLabel={stopping ? "Stop instance" : "Start instance"}
      onConfirm={() => mutation.mutate(undefined, { onSuccess: close })}
      onClose={close}
      pending={actions.stop.isPending || actions.start.isPending}
      error={mutation.error ? describeError(mutation.error) : null}
    />
  );
}
