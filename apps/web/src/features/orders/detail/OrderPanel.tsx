import { describeError, isNotFound } from "../../../errors.ts";
import { Dialog } from "../../../ui/Dialog.tsx";
import { ErrorMessage } from "../../../ui/ErrorMessage.tsx";
import { useDataOutage } from "../../lakebase/use-lakebase-status.ts";
import { useOrder } from "../queries.ts";
import { OrderFields } from "./OrderFields.tsx";
import { StatusChange } from "./StatusChange.tsx";
import { StatusHistory } from "./StatusHistory.tsx";

export interface OrderPanelProps {
  orderKey: number;
  onClose: () => void;
}

/** The side panel of one order: its fields, the status change form and the history of changes. */
export function OrderPanel({ orderKey, onClose }: OrderPanelProps) {
  const order = useOrder(orderKey);
  const outage = useDataOutage();
  const blocked = outage?.blocksReading && !order.data;
  return (
    <Dialog title={`Order ${orderKey}`} onClose={onClose} variant="side">
      {blocked ? (
        <p className="empty-state" role="status">
          This order cannot be read now: {outage.what}.
        </p>
      ) : null}
      {order.error && isNotFound(order.error) ? (
        <div className="empty-state" role="status">
          <p>There is no order with the key {orderKey}.</p>
          <p className="muted">Close this panel and open an order from the table, or type another key.</p>
        </div>
      ) : order.error ? (
        <ErrorMessage info={describeError(order.error)} onRetry={() => void order.refetch()} />
      ) : null}
      {order.isPending && !blocked && !order.error ? (
        <div className="skeleton skeleton-block" role="status" aria-label="Loading order" />
      ) : null}
      {order.data ? (
        <>
          <OrderFields order={order.data} />
          <StatusChange order={order.data} />
        </>
      ) : null}
      {order.error || blocked ? null : <StatusHistory orderKey={orderKey} />}
    </Dialog>
  );
}
