import { type FormEvent, useState } from "react";
import type { ErrorInfo } from "../../errors.ts";
import { resourceLabel } from "../../labels.ts";
import { Dialog } from "../../ui/Dialog.tsx";
import { ErrorMessage } from "../../ui/ErrorMessage.tsx";

export interface DeleteOutcome {
  resource: string;
  name: string;
  outcome: string;
  error?: string | undefined;
}

export interface DeleteDialogProps {
  instanceName: string;
  /** What will be deleted, in the order it will be deleted. */
  steps: { resource: string; name: string }[];
  /** Whether each resource still exists, from the live status while the delete runs. */
  live?: Record<string, boolean>;
  onConfirm: (confirmName: string) => void;
  onClose: () => void;
  pending: boolean;
  outcomes: readonly DeleteOutcome[] | null;
  note?: string | null | undefined;
  error: ErrorInfo | null;
  /** Defaults: the Provisioned console's words ("Delete Lakebase resources", "Delete everything"). */
  title?: string;
  confirmLabel?: string;
  /** What is typed to confirm, when it is not an instance (e.g. "branch id"); shown in the label. */
  confirmWhat?: string;
}

const OUTCOME_LABELS: Record<string, string> = {
  deleted: "Deleted",
  not_found: "Already gone",
  failed: "Failed",
  skipped: "Not attempted (an earlier step failed)",
};

/** Type-to-confirm: the delete button works only once the exact instance name is typed. */
export function DeleteDialog(props: DeleteDialogProps) {
  const { instanceName, steps, pending, outcomes } = props;
  const [typed, setTyped] = useState("");
  const matches = typed === instanceName;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (matches && !pending) props.onConfirm(typed);
  }

  return (
    <Dialog title={props.title ?? "Delete Lakebase resources"} onClose={props.onClose}>
      <p>These resources will be deleted, in this order. This cannot be undone.</p>
      <ol className="steps">
        {steps.map((step) => {
          const outcome = outcomes?.find((o) => o.resource === step.resource);
          return (
            <li key={step.resource}>
              {resourceLabel(step.resource)} <code>{step.name}</code>
              {outcome ? (
                <span className={`badge badge-${outcome.outcome === "failed" ? "bad" : "ok"}`}>
                  {" "}
                  {OUTCOME_LABELS[outcome.outcome] ?? outcome.outcome}
                </span>
              ) : pending ? (
                <span className="muted"> {props.live?.[step.resource] === false ? "gone" : "deleting…"}</span>
              ) : null}
              {outcome?.error ? <span className="muted"> — {outcome.error}</span> : null}
            </li>
          );
        })}
      </ol>
      {props.note ? <p className="muted">{props.note}</p> : null}
      {props.error ? <ErrorMessage info={props.error} /> : null}
      {outcomes ? (
        <div className="actions">
          <button type="button" onClick={props.onClose}>
            Done
          </button>
        </div>
      ) : (
        <form onSubmit={submit} className="actions">
          <label className="form-grid">
            <span>
              Type {props.confirmWhat ? `the ${props.confirmWhat} ` : ""}
              <strong>{instanceName}</strong> to confirm
            </span>
            <input
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={typed.length > 0 && !matches}
            />
          </label>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={!matches || pending}>
            {pending ? "Deleting…" : (props.confirmLabel ?? "Delete everything")}
          </button>
        </form>
      )}
    </Dialog>
  );
}
