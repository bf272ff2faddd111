import { useFormat } from "../../../locale.ts";
import { ResourceStateBadge } from "../../../ui/ResourceStateBadge.tsx";
import { useDataOutage, useLakebaseStatus } from "../../lakebase/use-lakebase-status.ts";

/**
 * The data's state and its last sync, from the Lakebase status (two lines of fixed height). During an outage
 * the badge names it ("Database stopped"): never a green "up to date" beside data that cannot be read.
 */
export function Freshness() {
  const status = useLakebaseStatus();
  const outage = useDataOutage();
  const format = useFormat();
  const table = status.data?.syncedTable;
  return (
    <>
      <span className="stat-label freshness-line">
        Data{" "}
        {outage ? (
          <span className={`badge badge-${outage.tone}`} title={outage.code}>
            {outage.badge}
          </span>
        ) : table ? (
          <ResourceStateBadge state={table.detailedState ?? table.state} />
        ) : status.isPending ? null : (
          "state unknown"
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
