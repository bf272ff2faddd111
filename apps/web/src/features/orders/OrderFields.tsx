import type { Order } from "../../api-types.ts";
import { formatDate, formatMoney } from "../../format.ts";
import { StatusBadge } from "./StatusBadge.tsx";

export function OrderFields({ order }: { order: Order }) {
  return (
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
  );
}
