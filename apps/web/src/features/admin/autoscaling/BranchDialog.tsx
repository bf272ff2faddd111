import { type FormEvent, useState } from "react";
import type { BranchCreateInput, BranchView } from "../../../api-types.ts";
import type { ErrorInfo } from "../../../errors.ts";
import { Dialog } from "../../../ui/Dialog.tsx";
import { ErrorMessage } from "../../../ui/ErrorMessage.tsx";
import {
  durationLabel,
  idProblem,
  pointInTimeOf,
  TTL_CHOICES,
  toLocalInput,
  ttlChoiceLabel,
} from "./autoscaling-format.ts";

export interface BranchDialogProps {
  branches: readonly BranchView[];
  /** The project's default branch (the parent offered first). */
  defaultBranch: string | null;
  /** The project's history window, in seconds: how far back a branch may start. */
  historySeconds: number | null;
  onSubmit: (input: BranchCreateInput) => void;
  onClose: () => void;
  pending: boolean;
  error: ErrorInfo | null;
}

/**
 * A new branch: its id, its parent, from the parent's head or a past time inside the history window, and its
 * lifetime (a TTL, or none said explicitly: a forgotten branch would live, and bill storage, forever).
 */
export function BranchDialog(props: BranchDialogProps) {
  const parents = props.branches.filter((b) => b.state === "READY");
  const [branchId, setBranchId] = useState("");
  const [parent, setParent] = useState(
    parents.find((b) => b.name === props.defaultBranch)?.id ?? parents[0]?.id ?? "",
  );
  const [from, setFrom] = useState<"head" | "past">("head");
  const [at, setAt] = useState(() => toLocalInput(Date.now() - 10 * 60_000));
  const [ttl, setTtl] = useState<number | null>(TTL_CHOICES[0] ?? 3600);
  const idError = branchId ? idProblem(branchId) : null;
  const point = from === "past" ? pointInTimeOf(at, props.historySeconds, Date.now()) : null;
  const valid = branchId !== "" && idError === null && parent !== "" && !point?.problem;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!valid || props.pending) return;
    props.onSubmit({
      branchId,
      sourceBranchId: parent,
      ...(point?.at != null ? { pointInTime: new Date(point.at).toISOString() } : {}),
      ...(ttl === null ? { noExpiry: true as const } : { ttlSeconds: ttl }),
    });
  }

  return (
    <Dialog title="New branch" onClose={props.onClose}>
      <form onSubmit={submit} className="as-form">
        <p className="muted">
          A branch is a copy of its parent's data (as of now, or of a past time), with its own read-write
          endpoint. Writes on it never reach the parent.
        </p>
        <div className="form-grid">
          <label>
            Branch id
            <input
              value={branchId}
              onChange={(event) => setBranchId(event.target.value.trim())}
              autoComplete="off"
              spellCheck={false}
              placeholder="e.g. dev-alice"
              aria-invalid={idError !== null}
              aria-describedby={idError ? "as-branch-id-error" : undefined}
            />
          </label>
          <label>
            Parent
            <select value={parent} onChange={(event) => setParent(event.target.value)}>
              {parents.map((b) => (
                <option key={b.name} value={b.id}>
                  {b.id}
                </option>
              ))}
            </select>
          </label>
          <label>
            Lifetime
            <select
              value={ttl === null ? "none" : String(ttl)}
              onChange={(event) => setTtl(event.target.value === "none" ? null : Number(event.target.value))}
            >
              {TTL_CHOICES.map((t) => (
                <option key={t ?? "none"} value={t === null ? "none" : String(t)}>
                  {ttlChoiceLabel(t)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {idError ? (
          <p id="as-branch-id-error" className="field-error">
            {idError}
          </p>
        ) : null}
        <fieldset className="as-from">
          <legend>Data as of</legend>
          <label className="checkbox">
            <input type="radio" name="from" checked={from === "head"} onChange={() => setFrom("head")} />
            Now (the parent's head)
          </label>
          <label className="checkbox">
            <input type="radio" name="from" checked={from === "past"} onChange={() => setFrom("past")} />A
            past time
            {props.historySeconds !== null ? ` (within the last ${durationLabel(props.historySeconds)})` : ""}
          </label>
          {from === "past" ? (
            <label className="as-when">
              Time (your time zone)
              <input
                type="datetime-local"
                value={at}
                max={toLocalInput(Date.now())}
                {...(props.historySeconds !== null
                  ? { min: toLocalInput(Date.now() - props.historySeconds * 1000) }
                  : {})}
                aria-invalid={Boolean(point?.problem)}
                onChange={(event) => setAt(event.target.value)}
              />
            </label>
          ) : null}
          {point?.problem ? <p className="field-error">{point.problem}</p> : null}
        </fieldset>
        {props.error ? <ErrorMessage info={props.error} /> : null}
        <div className="actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!valid || props.pending}>
            {props.pending ? "Creating…" : "Create branch"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
