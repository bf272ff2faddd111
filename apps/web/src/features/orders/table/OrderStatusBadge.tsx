import { statusLabel } from "../../../format.ts";

/** An order status (F, O, P) as a coloured badge with its label. */
export function OrderStatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-status-${status.toLowerCase()}`} title={`Status ${status}`}>
      {statusLabel(status)}
    </span>
  );
}
