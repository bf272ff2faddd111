import { ORDER_STATUSES } from "../../../api-types.ts";
import { statusLabel } from "../../../labels.ts";

/** An order status (F, O, P) as a coloured badge with its label; the code is in the tooltip. */
export function OrderStatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-status-${status.toLowerCase()}`} title={`Status code ${status}`}>
      {statusLabel(status)}
    </span>
  );
}

/** Every order status as the options of a select: the label shown, the code as the value and tooltip. */
export function OrderStatusOptions() {
  return ORDER_STATUSES.map((status) => (
    <option key={status} value={status} title={`Status code ${status}`}>
      {statusLabel(status)}
    </option>
  ));
}
