import { describeError } from "../../../errors.ts";
import { Dialog } from "../../../ui/Dialog.tsx";
import { ErrorMessage } from "../../../ui/ErrorMessage.tsx";
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
  return (
    <Dialog title={`Order ${orderKey}`} onClose={onClose} variant="side">
      {order.error ? (
        <ErrorMessage info={describeError(order.error)} onRetry={() => void order.refetch()} />
      ) : null}
      {order.isPending ? (
        <div className="skeleton skeleton-block" role="status" aria-label="Loading order" />
      ) : null}
      {order.data ? (
        <>
          <OrderFields order={order.data} />
          <StatusChange order={order.data} />
        </>
      ) : null}
      <StatusHistory orderKey={orderKey} />
    </Dialog>
  );
}
