import { type FormEvent, type ReactNode, useState } from "react";
import type { EndpointView } from "../../../api-types.ts";
import type { ErrorInfo } from "../../../errors.ts";
import { Dialog } from "../../../ui/Dialog.tsx";
import { ErrorMessage } from "../../../ui/ErrorMessage.tsx";
import {
  CU_MAX,
  CU_MIN,
  computeProblem,
  idProblem,
  SUSPEND_CHOICES,
  suspendLabel,
} from "./autoscaling-format.ts";

export interface ComputeValues {
  minCu: number;
  maxCu: number;
  suspendTimeoutSeconds: number | null;
}

export interface EndpointDialogProps {
  branchId: string;
  /** The endpoint whose compute changes; absent: a new read-only endpoint. */
  endpoint?: EndpointView;
  onSubmit: (values: ComputeValues & { endpointId: string }) => void;
  onClose: () => void;
  pending: boolean;
  error: ErrorInfo | null;
}

/** A new read-only endpoint of a branch, or new min/max CU and scale to zero for an existing one. */
export function EndpointDialog({
  branchId,
  endpoint,
  onSubmit,
  onClose,
  pending,
  error,
}: EndpointDialogProps) {
  const adding = endpoint === undefined;
  const [endpointId, setEndpointId] = useState(endpoint?.id ?? "");
  return (
    <Dialog
      title={adding ? `New read-only endpoint on ${branchId}` : `Compute of endpoint ${endpoint.id}`}
      onClose={onClose}
    >
      {adding ? (
        <p className="muted">
          A read-only endpoint is its own compute on the branch's data (a hot standby of its read-write
          endpoint): reads can go there, writes cannot.
        </p>
      ) : null}
      <ComputeFields
        initial={{
          minCu: endpoint?.detail.minCu ?? 0.5,
          maxCu: endpoint?.detail.maxCu ?? 2,
          suspendTimeoutSeconds: endpoint ? endpoint.detail.suspendTimeoutSeconds : 300,
        }}
        extra={
          adding ? (
            <label>
              Endpoint id
              <input
                value={endpointId}
                onChange={(event) => setEndpointId(event.target.value.trim())}
                autoComplete="off"
                spellCheck={false}
                placeholder="e.g. reader"
                aria-invalid={endpointId !== "" && idProblem(endpointId) !== null}
              />
            </label>
          ) : null
        }
        extraProblem={adding && endpointId !== "" ? idProblem(endpointId) : null}
        ready={endpointId !== ""}
        submitLabel={adding ? "Add endpoint" : "Save compute"}
        onSubmit={(values) => onSubmit({ ...values, endpointId })}
        onCancel={onClose}
        pending={pending}
        error={error}
      />
    </Dialog>
  );
}

export interface ComputeFieldsProps {
  initial: ComputeValues;
  extra?: ReactNode;
  /** Shown above the errors and the submit button (e.g. a cost acknowledgement). */
  children?: ReactNode;
  extraProblem?: string | null;
  ready?: boolean;
  submitLabel: string;
  /** Leave the compute out (what is created has no new endpoint): only `extra` and `children` show. */
  computeHidden?: boolean;
  onSubmit: (values: ComputeValues) => void;
  onCancel?: () => void;
  pending: boolean;
  error: ErrorInfo | null;
}

/** Min/max CU and the suspend timeout, checked as the service checks them before anything is sent. */
export function ComputeFields(props: ComputeFieldsProps) {
  const [minCu, setMinCu] = useState(props.initial.minCu);
  const [maxCu, setMaxCu] = useState(props.initial.maxCu);
  const [suspend, setSuspend] = useState<number | null>(props.initial.suspendTimeoutSeconds);
  const problem = props.computeHidden ? null : computeProblem(minCu, maxCu);
  const suspendChoices = SUSPEND_CHOICES.includes(suspend) ? SUSPEND_CHOICES : [...SUSPEND_CHOICES, suspend];
  const valid = problem === null && !props.extraProblem && (props.ready ?? true);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (valid && !props.pending) props.onSubmit({ minCu, maxCu, suspendTimeoutSeconds: suspend });
  }

  return (
    <form onSubmit={submit} className="as-form">
      {props.computeHidden ? null : (
        <div className="form-grid">
          {props.extra}
          <label>
            Min CU
            <input
              type="number"
              min={CU_MIN}
              max={CU_MAX}
              step={0.5}
              value={Number.isNaN(minCu) ? "" : minCu}
              aria-invalid={problem?.startsWith("Min") ?? false}
              onChange={(event) => setMinCu(event.target.valueAsNumber)}
            />
          </label>
          <label>
            Max CU
            <input
              type="number"
              min={CU_MIN}
              max={CU_MAX}
              step={0.5}
              value={Number.isNaN(maxCu) ? "" : maxCu}
              aria-invalid={problem !== null && !problem.startsWith("Min")}
              onChange={(event) => setMaxCu(event.target.valueAsNumber)}
            />
          </label>
          <label>
            Scale to zero
            <select
              value={suspend === null ? "never" : String(suspend)}
              onChange={(event) =>
                setSuspend(event.target.value === "never" ? null : Number(event.target.value))
              }
            >
              {suspendChoices.map((s) => (
                <option key={s ?? "never"} value={s === null ? "never" : String(s)}>
                  {suspendLabel(s)}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      {problem || props.extraProblem ? <p className="field-error">{props.extraProblem ?? problem}</p> : null}
      {props.computeHidden ? null : (
        <p className="muted">
          The compute scales between min and max CU with the load; asleep, it bills no compute, and the first
          query after waits while it wakes.
        </p>
      )}
      {props.children}
      {props.error ? <ErrorMessage info={props.error} /> : null}
      <div className="actions">
        {props.onCancel ? (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        ) : null}
        <button type="submit" className="primary" disabled={!valid || props.pending}>
          {props.pending ? "Working…" : props.submitLabel}
        </button>
      </div>
    </form>
  );
}
