import type {
  ActionResult,
  BranchView,
  EndpointView,
  LakebaseStatus,
  ProjectView,
} from "../../../api-types.ts";
import { describeError } from "../../../errors.ts";
import { ConfirmDialog } from "../ConfirmDialog.tsx";
import { DeleteDialog } from "../DeleteDialog.tsx";
import { BranchDialog } from "./BranchDialog.tsx";
import { EndpointDialog } from "./EndpointDialog.tsx";
import type { RequestAnswer } from "./OperationCard.tsx";
import type { AutoscalingActions } from "./use-autoscaling-actions.ts";

/** The dialog open in the Autoscaling console, with what it acts on. */
export type AsDialog =
  | { kind: "branch.create" }
  | { kind: "project.delete" }
  | { kind: "branch.delete" | "endpoint.create" | "data.attach"; branch: BranchView }
  | {
      kind: "endpoint.update" | "endpoint.delete" | "endpoint.stop" | "endpoint.start";
      branch: BranchView;
      endpoint: EndpointView;
    };

export interface AutoscalingDialogsProps {
  dialog: AsDialog;
  status: LakebaseStatus;
  project: ProjectView | null;
  branches: readonly BranchView[];
  actions: AutoscalingActions;
  onAnswer: (answer: RequestAnswer) => void;
  onClose: () => void;
}

/**
 * The confirmation step of every Autoscaling action. A dialog closes once the API has accepted its request
 * (the progress card follows it from there); a refusal stays in the dialog, in words, and asking again is
 * safe (a create finds what exists, a delete what is gone).
 */
export function AutoscalingDialogs({
  dialog,
  status,
  project,
  branches,
  actions,
  onAnswer,
  onClose,
}: AutoscalingDialogsProps) {
  const close = () => {
    onClose();
    for (const m of Object.values(actions)) m.reset();
  };
  const accepted = (kind: string) => (result: ActionResult) => {
    onAnswer({ kind, result });
    close();
  };
  const errorOf = (m: { error: unknown }) => (m.error ? describeError(m.error) : null);
  const { config } = status;

  switch (dialog.kind) {
    case "branch.create":
      return (
        <BranchDialog
          branches={branches}
          defaultBranch={project?.detail.defaultBranch ?? null}
          historySeconds={project?.detail.historyRetentionSeconds ?? null}
          onSubmit={(input) => actions.createBranch.mutate(input, { onSuccess: accepted("branch.create") })}
          onClose={close}
          pending={actions.createBranch.isPending}
          error={errorOf(actions.createBranch)}
        />
      );
    case "branch.delete": {
      const { branch } = dialog;
      return (
        <DeleteDialog
          title={`Delete branch ${branch.id}`}
          confirmLabel="Delete branch"
          confirmWhat="branch id"
          instanceName={branch.id}
          steps={[{ resource: "branch", name: branch.id }]}
          note="Its endpoints go with it, and so do a catalog and synced table attached to it (deleted first)."
          onConfirm={(confirmName) =>
            actions.deleteBranch.mutate(
              { branchId: branch.id, confirmName },
              { onSuccess: accepted("branch.delete") },
            )
          }
          onClose={close}
          pending={actions.deleteBranch.isPending}
          outcomes={null}
          error={errorOf(actions.deleteBranch)}
        />
      );
    }
    case "endpoint.create":
      return (
        <EndpointDialog
          branchId={dialog.branch.id}
          onSubmit={({ endpointId, ...compute }) =>
            actions.createEndpoint.mutate(
              { branchId: dialog.branch.id, endpointId, ...compute },
              { onSuccess: accepted("endpoint.create") },
            )
          }
          onClose={close}
          pending={actions.createEndpoint.isPending}
          error={errorOf(actions.createEndpoint)}
        />
      );
    case "endpoint.update":
      return (
        <EndpointDialog
          branchId={dialog.branch.id}
          endpoint={dialog.endpoint}
          onSubmit={({ endpointId, ...compute }) =>
            actions.updateEndpoint.mutate(
              { branchId: dialog.branch.id, endpointId, ...compute },
              { onSuccess: accepted("endpoint.update") },
            )
          }
          onClose={close}
          pending={actions.updateEndpoint.isPending}
          error={errorOf(actions.updateEndpoint)}
        />
      );
    case "endpoint.delete": {
      const { branch, endpoint } = dialog;
      return (
        <DeleteDialog
          title={`Delete endpoint ${endpoint.id}`}
          confirmLabel="Delete endpoint"
          confirmWhat="endpoint id"
          instanceName={endpoint.id}
          steps={[{ resource: "endpoint", name: endpoint.id }]}
          note={`The read-only endpoint of branch ${branch.id}: its connections end; the branch's data stays.`}
          onConfirm={(confirmName) =>
            actions.deleteEndpoint.mutate(
              { branchId: branch.id, endpointId: endpoint.id, confirmName },
              { onSuccess: accepted("endpoint.delete") },
            )
          }
          onClose={close}
          pending={actions.deleteEndpoint.isPending}
          outcomes={null}
          error={errorOf(actions.deleteEndpoint)}
        />
      );
    }
    case "data.attach": {
      const { branch } = dialog;
      const catalog = branch.inUse
        ? config.catalogName
        : `${config.catalogName}_${branch.id.replaceAll("-", "_")}`;
      return (
        <ConfirmDialog
          title={`Attach data to ${branch.id}`}
          body={`Creates catalog ${catalog} on the database of branch ${branch.id}, then the orders synced table in it (its first sync copies the source table). What exists already is kept.`}
          confirmLabel="Attach data"
          onConfirm={() =>
            actions.attachData.mutate({ branchId: branch.id }, { onSuccess: accepted("data.attach") })
          }
          onClose={close}
          pending={actions.attachData.isPending}
          error={errorOf(actions.attachData)}
        />
      );
    }
    case "endpoint.stop":
    case "endpoint.start": {
      const stopping = dialog.kind === "endpoint.stop";
      const mutation = stopping ? actions.stop : actions.start;
      const { branch, endpoint } = dialog;
      return (
        <ConfirmDialog
          title={stopping ? `Stop endpoint ${endpoint.id}?` : `Start endpoint ${endpoint.id}?`}
          body={
            stopping
              ? `Disables the app's read-write endpoint ${endpoint.id} on ${branch.id}: it refuses every connection, so the app cannot read or write orders until it is started again. Its compute stops billing; storage does not.`
              : `Enables the app's read-write endpoint ${endpoint.id} on ${branch.id}: it accepts connections again, and orders are readable once it runs.`
          }
          confirmLabel={stopping ? "Stop endpoint" : "Start endpoint"}
          onConfirm={() => mutation.mutate(undefined, { onSuccess: close })}
          onClose={close}
          pending={actions.stop.isPending || actions.start.isPending}
          error={errorOf(mutation)}
        />
      );
    }
    case "project.delete":
      return (
        <DeleteDialog
          title={`Delete project ${config.instanceName}`}
          confirmLabel="Delete everything"
          confirmWhat="project id"
          instanceName={config.instanceName}
          steps={[
            { resource: "syncedTable", name: config.syncedTable },
            { resource: "catalog", name: config.catalogName },
            { resource: "project", name: config.instanceName },
          ]}
          live={{
            syncedTable: Boolean(status.syncedTable),
            catalog: Boolean(status.catalog),
            project: project !== null,
          }}
          onConfirm={(confirmName) => actions.deleteProject.mutate({ confirmName })}
          onClose={close}
          pending={actions.deleteProject.isPending}
          outcomes={actions.deleteProject.data?.steps ?? null}
          note={
            actions.deleteProject.data?.note ??
            "The project's branches and endpoints go with it, with every copy of the data on them."
          }
          error={errorOf(actions.deleteProject)}
        />
      );
  }
}
