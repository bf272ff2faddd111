import type { Order } from "../../../api-types.ts";
import { priorityLabel } from "../../../labels.ts";
import { useFormat } from "../../../locale.ts";
import { OrderStatusBadge } from "../table/OrderStatusBadge.tsx";

export function OrderFields({ order }: { order: Order }) {
  const format = useFormat();
  return (
    <dl className="detail-fields">
      <dt>Order key</dt>
      <dd>{order.orderKey}</dd>
      <dt>Customer</dt>
      <dd>{order.custKey}</dd>
      <dt>Status</dt>
      <dd>
        <OrderStatusBadge status={order.status} />
      </dd>
      <dt>Total price</dt>
      <dd className="num">{format.money(order.totalPrice)}</dd>
      <dt>Order date</dt>
      <dd>
        <time dateTime={order.orderDate}>{format.date(order.orderDate)}</time>
      </dd>
      <dt>Priority</dt>
      <dd title={`Priority code ${order.priority}`}>{priorityLabel(order.priority)}</dd>
      <dt>Clerk</dt>
      <dd>{order.clerk}</dd>
      <dt>Ship priority</dt>
      <dd>{order.shipPriority}</dd>
      <dt>Comment</dt>
      <dd>{order.comment}</dd>
    </dl>
  );
}
