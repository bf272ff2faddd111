import { formatDateTime } from "../../format.ts";
import { useOrderHistory } from "./queries.ts";
import { StatusBadge } from "./StatusBadge.tsx";

/** The status changes made in the app, newest first. */
export function StatusHistory({ orderKey }: { orderKey: number }) {
  const history = useOrderHistory(orderKey);
  const changes = history.data?.changes;
  return (
    <section aria-labelledby="history-title" className="history">
      <h3 id="history-title">Status history</h3>
      {history.isPending ? (
        <div className="skeleton skeleton-block" role="status" aria-label="Loading history" />
      ) : null}
      {changes && changes.length === 0 ? <p className="muted">No changes made in the app yet.</p> : null}
      {changes && changes.length > 0 ? (
        <ol className="history-list">
          {changes.map((change) => (
            <li key={`${change.changedAt}-${change.status}`}>
              <StatusBadge status={change.previousStatus} /> → <StatusBadge status={change.status} />{" "}
              <span className="muted">
                by {change.changedBy},{" "}
                <time dateTime={change.changedAt}>{formatDateTime(change.changedAt)}</time>
              </span>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
