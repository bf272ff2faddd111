import type { ReactNode } from "react";
import type { ListPagination } from "../../../api-types.ts";
import { describeError, isStillSyncing } from "../../../errors.ts";
import { ErrorMessage } from "../../../ui/ErrorMessage.tsx";
import { SyncProgress } from "../../../ui/SyncProgress.tsx";
import { useDataOutage, useSyncProgress } from "../../lakebase/use-lakebase-status.ts";
import { useOrderStats } from "../queries.ts";
import { isInvertedRange } from "../search/search.ts";
import { useOrdersSearch } from "../search/use-orders-search.ts";
import { EmptyState } from "./EmptyState.tsx";

export interface ResultsGateProps {
  /** The query that feeds the table (a page or the stream). */
  query: { error: unknown; refetch: () => unknown };
  empty: boolean;
  /** The page's figures (pages mode), to tell "past the last page" from "nothing matches". */
  pagination?: ListPagination | undefined;
  children: ReactNode;
}

/**
 * What stands in for the table when it cannot show rows, each saying what is true and what to do: the sync's
 * progress while the data is still syncing, an outage the Lakebase status names (the notice above the stats
 * says why), a date range no order can match, the error (with a retry where one can help), or why it is
 * empty.
 */
export function ResultsGate({ query, empty, pagination, children }: ResultsGateProps) {
  const { view } = useOrdersSearch();
  const stats = useOrderStats(view.filters);
  const progress = useSyncProgress();
  const outage = useDataOutage();
  // A new database fills from its first sync: its progress says more than "being created".
  const filling = outage?.kind === "syncing" || outage?.kind === "creating";
  const syncing = (
    <SyncProgress
      syncedRows={progress?.syncedRows ?? null}
      totalRows={progress?.totalRows ?? null}
      fraction={progress?.fraction ?? null}
    />
  );
  if (filling) return syncing;
  // Before a PRECONDITION_FAILED read as "syncing": a stopped database answers that too, and its outage says more.
  if (outage?.blocksReading) {
    return (
      <div className="empty-state outage-stand-in" role="status">
        <p>No orders to show: {outage.what}.</p>
        <p className="muted">
          They come back here on their own once they can be read; nothing to do meanwhile.
        </p>
      </div>
    );
  }
  if (isStillSyncing(query.error) || isStillSyncing(stats.error)) return syncing;
  if (isInvertedRange(view.filters)) {
    return (
      <div className="empty-state" role="status">
        <p>No order can match a date range that ends before it starts: see the dates above.</p>
      </div>
    );
  }
  if (query.error) {
    return <ErrorMessage info={describeError(query.error)} onRetry={() => void query.refetch()} />;
  }
  if (empty) return <EmptyState pagination={pagination} />;
  return children;
}
