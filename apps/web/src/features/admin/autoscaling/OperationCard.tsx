import type { ActionResult, LakebaseStatus } from "../../../api-types.ts";
import { operationLabel } from "../../../labels.ts";
import { useFormat } from "../../../locale.ts";
import { OperationOutcome } from "../OperationOutcome.tsx";
import { idOf } from "./autoscaling-format.ts";

/**
 * What the last request of this page was answered (the operation itself is followed below it); said only
 * while that operation is the one shown, so it never stands beside another one's outcome.
 */
export interface RequestAnswer {
  kind: string;
  result: ActionResult;
}

const ANSWERS: Record<ActionResult["outcome"], string> = {
  started: "accepted; the operation below carries it out",
  existing: "found it there already: nothing new was created",
  not_found: "found it gone already: nothing was deleted",
};

/**
 * The operation of the project: the current one with its step, or the last one said as finished (with when
 * and its error), live while the progress stream is open; and the answer to this page's last request.
 */
export function OperationCard({
  status,
  live,
  answer,
}: {
  status: LakebaseStatus;
  live: boolean;
  answer: RequestAnswer | null;
}) {
  const { operation } = status;
  const { dateTime } = useFormat();
  const running = operation?.outcome === "running";
  return (
    <section className="card progress-view" aria-labelledby="as-progress-title" aria-live="polite">
      <h3 id="as-progress-title">Progress {live ? <span className="badge badge-busy">live</span> : null}</h3>
      {answer && answer.result.operationId === operation?.id ? (
        <p className="as-answer">
          Your request — {operationLabel(answer.kind)} of <code>{idOf(answer.result.resource)}</code>:{" "}
          {ANSWERS[answer.result.outcome]}.
        </p>
      ) : null}
      {operation ? (
        <p className="operation-line" data-outcome={operation.outcome}>
          {running ? "Current operation" : "Last operation"}:{" "}
          <strong>{operationLabel(operation.kind)}</strong> by {operation.actor ?? "an admin"} —{" "}
          <OperationOutcome outcome={operation.outcome} />{" "}
          {running ? <span className="operation-step">{operation.step}</span> : null}
          {!running && operation.finishedAt ? (
            <span className="muted"> (finished {dateTime(operation.finishedAt)})</span>
          ) : null}
          {operation.error ? <span className="error-inline"> {operation.error}</span> : null}
        </p>
      ) : (
        <p className="muted">No operation yet.</p>
      )}
    </section>
  );
}
