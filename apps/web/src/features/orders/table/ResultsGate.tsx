import type { ReactNode } from "react";
import { describeError, isStillSyncing } from "../../../errors.ts";
import { ErrorMessage } from "../../../ui/ErrorMessage.tsx";
import { SyncProgress } from "../../../ui/SyncProgress.tsx";
import { useSyncProgress } from "../../lakebase/use-lakebase-status.ts";
import { useOrderStats } from "../queries.ts";
import { useOrdersSearch } from "../search/use-orders-search.ts";
import { EmptyState } from "./EmptyState.tsx";

export interface ResultsGateProps {
  /** The query that feeds the table (a page or the stream). */
  query: { error: unknown; refetch: () => unknown };
  empty: boolean;
  children: ReactNode;
}

/**
 * What stands in for the table when it cannot show rows: the sync's progress while the data is still
 * syncing (not an error), the error with a retry, or the empty state.
 */
export function ResultsGate({ query, empty, children }: ResultsGateProps) {
  const { view, resetView } = useOrdersSearch();
  const stats = useOrderStats(view.filters);
  const progress = useSyncProgress();
  if (isStillSyncing(query.error) || isStillSyncing(stats.error)) {
    return (
      <SyncProgress
        syncedRows={progress?.syncedRows ?? null}
        totalRows={progress?.totalRows ?? null}
        fraction={progress?.fraction ?? null}
      />
    );
  }
  if (query.error) {
    return <ErrorMessage info={describeError(query.error)} onRetry={() => void query.refetch()} />;
  }
  if (empty) return <EmptyState onClear={resetView} />;
  return children;
}
