import { useId } from "react";
import type { EndpointView, LakebaseStatus } from "../../../api-types.ts";
import { cuRangeLabel, endpointState, suspendLabel } from "./autoscaling-format.ts";
import { endpointGuard } from "./autoscaling-guard.ts";

export interface EndpointListProps {
  endpoints: readonly EndpointView[];
  operation: LakebaseStatus["operation"];
  onUpdate: (endpoint: EndpointView) => void;
  onDelete: (endpoint: EndpointView) => void;
}

/** A branch's computes: type, state (asleep said as such), size and scale to zero, and their actions. */
export function EndpointList({ endpoints, operation, onUpdate, onDelete }: EndpointListProps) {
  if (endpoints.length === 0)
    return <p className="muted">No endpoint: nothing can connect to this branch yet.</p>;
  const sorted = [...endpoints].sort(
    (a, b) =>
      Number(a.detail.type === "read-only") - Number(b.detail.type === "read-only") ||
      a.id.localeCompare(b.id),
  );
  return (
    <ul className="as-endpoints">
      {sorted.map((e) => (
        <EndpointItem
          key={e.name}
          endpoint={e}
          operation={operation}
          onUpdate={onUpdate}
          onDelete={onDelete}
        />
      ))}
    </ul>
  );
}

function EndpointItem({
  endpoint,
  operation,
  onUpdate,
  onDelete,
}: {
  endpoint: EndpointView;
  operation: LakebaseStatus["operation"];
  onUpdate: (endpoint: EndpointView) => void;
  onDelete: (endpoint: EndpointView) => void;
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
          aria-describedby={guard.update.ok || !reason ? undefined : whyId}
          onClick={() => onUpdate(endpoint)}
        >
          Compute…
        </button>
        {/* A read-write endpoint goes with its branch only: no delete is offered for it. */}
        {endpoint.detail.type === "read-only" ? (
          <button
            type="button"
            className="danger"
            aria-label={`Delete endpoint ${endpoint.id}`}
            disabled={!guard.delete.ok}
            aria-describedby={guard.delete.ok || !reason ? undefined : whyId}
            onClick={() => onDelete(endpoint)}
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
