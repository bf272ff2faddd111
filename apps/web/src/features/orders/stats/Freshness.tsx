import { useFormat } from "../../../locale.ts";
import { ResourceStateBadge } from "../../../ui/ResourceStateBadge.tsx";
import { useLakebaseStatus } from "../../lakebase/use-lakebase-status.ts";

/** The synced table's state and its last sync, from the Lakebase status (two lines of fixed height). */
export function Freshness() {
  const status = useLakebaseStatus();
  const format = useFormat();
  const table = status.data?.syncedTable;
  return (
    <>
      <span className="stat-label freshness-line">
        Data freshness{" "}
        {table ? (
          <ResourceStateBadge state={(table.detailedState ?? table.state)?.replace(/^SYNCED_TABLE_/, "")} />
        ) : status.isPending ? null : (
          "unknown"
        )}
      </span>
      <span className="freshness-line">
        {table
          ? `Last sync ${format.dateTime(table.lastSyncAt)}`
          : status.isPending
            ? "\u00a0"
            : "No synced table"}
      </span>
    </>
  );
}
