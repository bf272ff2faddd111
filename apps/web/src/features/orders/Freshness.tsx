import { formatDateTime } from "../../format.ts";
import { StateBadge } from "../../ui/StateBadge.tsx";
import { useSyncState } from "../lakebase/status.ts";

/** The synced table's state and its last sync, from the Lakebase status. */
export function Freshness() {
  const { freshness } = useSyncState();
  return (
    <>
      <span className="stat-label">Data freshness</span>
      {freshness ? (
        <>
          <StateBadge state={freshness.state} />
          <span>Last sync {formatDateTime(freshness.lastSyncAt)}</span>
        </>
      ) : (
        <span>Unknown</span>
      )}
    </>
  );
}
