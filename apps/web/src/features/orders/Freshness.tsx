import { formatDateTime } from "../../format.ts";
import { StateBadge } from "../../ui/StateBadge.tsx";
import { useLakebaseStatus } from "../lakebase/status.ts";

/** The synced table's state and its last sync, from the Lakebase status (two lines of fixed height). */
export function Freshness() {
  const status = useLakebaseStatus();
  const table = status.data?.syncedTable;
  return (
    <>
      <span className="stat-label freshness-line">
        Data freshness{" "}
        {table ? (
          <StateBadge state={(table.detailedState ?? table.state)?.replace(/^SYNCED_TABLE_/, "")} />
        ) : status.isPending ? null : (
          "unknown"
        )}
      </span>
      <span className="freshness-line">
        {table
          ? `Last sync ${formatDateTime(table.lastSyncAt)}`
          : status.isPending
            ? "\u00a0"
            : "No synced table"}
      </span>
    </>
  );
}
