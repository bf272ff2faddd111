import { useEffect, useState } from "react";
import { ORDER_STATUSES, type Order } from "../../../api-types.ts";
import { statusLabel } from "../../../format.ts";
import { ErrorMessage } from "../../../ui/ErrorMessage.tsx";
import { useUpdateStatus } from "./use-update-status.ts";

/** Picks a new status and saves it optimistically; a refused change is rolled back and explained. */
export function StatusChange({ order }: { order: Order }) {
  const update = useUpdateStatus(order.orderKey);
  const [nextStatus, setNextStatus] = useState<string>(order.status);
  useEffect(() => setNextStatus(order.status), [order.status]);

  return (
    <>
      <form
        className="status-change"
        onSubmit={(event) => {
          event.preventDefault();
          const status = ORDER_STATUSES.find((s) => s === nextStatus);
          // The status the user saw is the precondition: a concurrent change makes this a CONFLICT.
          if (status && status !== order.status) update.change(status, order.status);
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
        <button type="submit" disabled={update.pending || nextStatus === order.status}>
          {update.pending ? "Saving…" : "Change status"}
        </button>
      </form>
      {update.rollback ? (
        <div className="rollback">
          <p role="alert">The status change was rolled back.</p>
          <ErrorMessage info={update.rollback} />
        </div>
      ) : null}
    </>
  );
}
