import { useEffect, useRef, useState } from "react";
import { ORDER_STATUSES, type Order } from "../../../api-types.ts";
import { statusLabel } from "../../../labels.ts";
import { ErrorMessage } from "../../../ui/ErrorMessage.tsx";
import { OrderStatusOptions } from "../table/OrderStatusBadge.tsx";
import { useUpdateStatus } from "./use-update-status.ts";

/**
 * Picks a new status and saves it optimistically; a refused change is rolled back and explained in one
 * message. The button is never `disabled` (a disabled button drops the keyboard focus to the page): while
 * saving, or with nothing to change, it says so and does nothing.
 */
export function StatusChange({ order }: { order: Order }) {
  const update = useUpdateStatus(order.orderKey);
  const [nextStatus, setNextStatus] = useState<string>(order.status);
  const attempted = useRef<string | null>(null);
  useEffect(() => setNextStatus(order.status), [order.status]);
  const unchanged = nextStatus === order.status;
  const idle = update.pending || unchanged;

  return (
    <>
      <form
        className="status-change"
        onSubmit={(event) => {
          event.preventDefault();
          const status = ORDER_STATUSES.find((s) => s === nextStatus);
          if (!status || idle) return;
          attempted.current = status;
          // The status the user saw is the precondition: a concurrent change makes this a CONFLICT.
          update.change(status, order.status);
        }}
      >
        <label>
          New status
          <select value={nextStatus} onChange={(event) => setNextStatus(event.target.value)}>
            <OrderStatusOptions />
          </select>
        </label>
        <button
          type="submit"
          aria-disabled={idle}
          title={unchanged ? "Pick another status first" : undefined}
        >
          {update.pending ? "Saving…" : "Change status"}
        </button>
      </form>
      {update.rollback?.code === "CONFLICT" ? (
        <div className="error-box" role="alert">
          <p>
            <strong>Not saved.</strong> Someone changed this order to {statusLabel(order.status)} before you
            saved, so your change to {statusLabel(attempted.current ?? nextStatus)} was not applied. Pick the
            new status again if you still want it.
          </p>
        </div>
      ) : update.rollback ? (
        <div className="rollback">
          <p role="alert">The status change was not saved.</p>
          <ErrorMessage info={update.rollback} />
        </div>
      ) : null}
    </>
  );
}
