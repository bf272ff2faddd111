import { statusLabel } from "../../../labels.ts";

/** An order status (F, O, P) as a coloured badge with its label; the code is in the tooltip. */
export function OrderStatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-status-${status.toLowerCase()}`} title={`Status code ${status}`}>
      {statusLabel(status)}
    </span>
  );
}
