import { useEffect, useState } from "react";
import { ORDER_STATUSES, type Order, type OrderHistory, type OrderStatus } from "../api-types.ts";
import type { ErrorInfo } from "../errors.ts";
import { formatDate, formatDateTime, formatMoney, statusLabel } from "../format.ts";
import { Dialog } from "./Dialog.tsx";
import { ErrorMessage } from "./States.tsx";
import { StatusBadge } from "./StatusBadge.tsx";

export interface OrderDetailProps {
  orderKey: number;
  order: Order | undefined;
  error: ErrorInfo | null;
  onRetry: () => void;
  history: OrderHistory | undefined;
  historyLoading: boolean;
  onStatusChange: (status: OrderStatus) => void;
  statusPending: boolean;
  /** Why the last change was rolled back, if it was. */
  rollbackMessage: ErrorInfo | null;
  onClose: () => void;
}

export function OrderDetail(props: OrderDetailProps) {
  const { orderKey, order, error, history, onClose } = props;
  const [nextStatus, setNextStatus] = useState<string>(order?.status ?? "");
  useEffect(() => setNextStatus(order?.status ?? ""), [order?.status]);

  return (
    <Dialog title={`Order ${orderKey}`} onClose={onClose} variant="side">
      {error ? <ErrorMessage info={error} onRetry={props.onRetry} /> : null}
      {!order && !error ? (
        <div className="skeleton skeleton-block" role="status" aria-label="Loading order" />
      ) : null}
      {order ? (
        <>
          <dl className="detail-fields">
            <dt>Order key</dt>
            <dd>{order.orderKey}</dd>
            <dt>Customer</dt>
            <dd>{order.custKey}</dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={order.status} />
            </dd>
            <dt>Total price</dt>
            <dd className="num">{formatMoney(order.totalPrice)}</dd>
            <dt>Order date</dt>
            <dd>
              <time dateTime={order.orderDate}>{formatDate(order.orderDate)}</time>
            </dd>
            <dt>Priority</dt>
            <dd>{order.priority}</dd>
            <dt>Clerk</dt>
            <dd>{order.clerk}</dd>
            <dt>Ship priority</dt>
            <dd>{order.shipPriority}</dd>
            <dt>Comment</dt>
            <dd>{order.comment}</dd>
          </dl>
          <form
            className="status-change"
            onSubmit={(event) => {
              event.preventDefault();
              const status = ORDER_STATUSES.find((s) => s === nextStatus);
              if (status && status !== order.status) props.onStatusChange(status);
            }}
          >
            <label>
              New status
              <select value={nextStatus} onChange={(event) => setNextStatus(event.target.value)}>
                {ORDER_STATUSES.map((status) => (
                  <option key={status} value={status}>
                    {statusLabel(status)} ({status})
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" disabled={props.statusPending || nextStatus === order.status}>
              {props.statusPending ? "Saving…" : "Change status"}
            </button>
          </form>
          {props.rollbackMessage ? (
            <div className="rollback">
              <p role="alert">The status change was rolled back.</p>
              <ErrorMessage info={props.rollbackMessage} />
            </div>
          ) : null}
        </>
      ) : null}
      <section aria-labelledby="history-title" className="history">
        <h3 id="history-title">Status history</h3>
        {props.historyLoading ? (
          <div className="skeleton skeleton-block" role="status" aria-label="Loading history" />
        ) : null}
        {history && history.changes.length === 0 ? (
          <p className="muted">No changes made in the app yet.</p>
        ) : null}
        {history && history.changes.length > 0 ? (
          <ol className="history-list">
            {history.changes.map((change) => (
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
    </Dialog>
  );
}
