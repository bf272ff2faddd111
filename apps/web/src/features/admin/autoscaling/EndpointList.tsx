import { useId } from "react";
import type { EndpointView, LakebaseStatus } from "../../../api-types.ts";
import { cuRangeLabel, endpointState, suspendLabel } from "./autoscaling-format.ts";
import { endpointGuard } from "./autoscaling-guard.ts";

export type EndpointAction = "endpoint.update" | "endpoint.delete" | "endpoint.stop" | "endpoint.start";

export interface EndpointListProps {
  endpoints: readonly EndpointView[];
  operation: LakebaseStatus["operation"];
  onAction: (action: EndpointAction, endpoint: EndpointView) => void;
}

/** A branch's computes: type, state (asleep said as such), size and scale to zero, and their actions. */
export function EndpointList({ endpoints, operation, onAction }: EndpointListProps) {
  if (endpoints.length === 0) {
    return <p className="muted">No endpoint: nothing can connect to this branch yet.</p>;
  }
  const sorted = [...endpoints].sort(
    (a, b) =>
      Number(a.detail.type === "read-only") - Number(b.detail.type === "read-only") ||
      a.id.localeCompare(b.id),
  );
  return (
    <ul className="as-endpoints">
      {sorted.map((e) => (
        <EndpointItem key={e.name} endpoint={e} operation={operation} onAction={onAction} />
      ))}
    </ul>
  );
}

function EndpointItem({
  endpoint,
  operation,
  onAction,
}: {
  endpoint: EndpointView;
  operation: LakebaseStatus["operation"];
  onAction: (action: EndpointAction, endpoint: EndpointView) => void;
}) {
  const whyId = useId();
  const state = endpointState(endpoint);
  const guard = endpointGuard(endpoint, operation);
  const d = endpoint.detail;
  // The reason that only this endpoint has (a running operation is said once, at the top of the console).
  const reason =
    operation?.outcome === "running"
      ? null
      : (guard.update.reason ?? (d.type === "read-only" ? guard.delete.reason : null));
  const describedBy = (ok: boolean) => (ok || !reason ? undefined : whyId);
  return (
    <li className="as-endpoint" data-endpoint={endpoint.id} aria-label={`Endpoint ${endpoint.id}`}>
      <div className="as-endpoint-head">
        <code>{endpoint.id}</code>
        <span className="muted">{d.type === "read-write" ? "Read-write" : "Read-only"}</span>
        {endpoint.inUse ? <span className="muted">· the app's</span> : null}
        <span className={`badge badge-${state.tone}`} title={endpoint.state ?? undefined}>
          {state.label}
        </span>
        {state.note ? <span className="muted as-endpoint-note">{state.note}</span> : null}
      </div>
      <p className="as-endpoint-compute">
        Compute {cuRangeLabel(d.minCu, d.maxCu)} · Scale to zero:{" "}
        {suspendLabel(d.suspendTimeoutSeconds).toLowerCase()}
      </p>
      <div className="actions">
        <button
          type="button"
          aria-label={`Change the compute of endpoint ${endpoint.id}`}
          disabled={!guard.update.ok}
          aria-describedby={describedBy(guard.update.ok)}
          onClick={() => onAction("endpoint.update", endpoint)}
        >
          Compute…
        </button>
        {guard.stopStart ? (
          <button
            type="button"
            disabled={!guard.stopStart.ok}
            aria-describedby={describedBy(guard.stopStart.ok)}
            onClick={() => onAction(d.disabled ? "endpoint.start" : "endpoint.stop", endpoint)}
          >
            {d.disabled ? "Start…" : "Stop…"}
          </button>
        ) : null}
        {/* A read-write endpoint goes with its branch only: no delete is offered for it. */}
        {d.type === "read-only" ? (
          <button
            type="button"
            className="danger"
            aria-label={`Delete endpoint ${endpoint.id}`}
            disabled={!guard.delete.ok}
            aria-describedby={describedBy(guard.delete.ok)}
            onClick={() => onAction("endpoint.delete", endpoint)}
          >
            Delete…
          </button>
        ) : null}
      </div>
      {reason ? (
        <p id={whyId} className="muted actions-why">
          {reason}
        </p>
      ) : null}
    </li>
  );
}
