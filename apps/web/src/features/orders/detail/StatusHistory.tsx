import { useFormat } from "../../../locale.ts";
import { useOrderHistory } from "../queries.ts";
import { OrderStatusBadge } from "../table/OrderStatusBadge.tsx";

/** The status changes made in the app, newest first. */
export function StatusHistory({ orderKey }: { orderKey: number }) {
  const history = useOrderHistory(orderKey);
  const format = useFormat();
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
              <OrderStatusBadge status={change.previousStatus} /> →{" "}
              <OrderStatusBadge status={change.status} />{" "}
              <span className="muted">
                by {change.changedBy},{" "}
                <time dateTime={change.changedAt}>{format.dateTime(change.changedAt)}</time>
              </span>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
