import { useQuery } from "@tanstack/react-query";
import type { Freshness } from "../components/StatsHeader.tsx";
import { trpc } from "../trpc.ts";

/** Status of the Lakebase resources; refreshed slowly, it only feeds the freshness badge and admin view. */
export function useLakebaseStatus(refetchMs = 30_000) {
  return useQuery({ ...trpc.lakebase.status.queryOptions(), refetchInterval: refetchMs, retry: false });
}

export interface SyncState {
  freshness: Freshness | null;
  progress: { syncedRows: number | null; totalRows: number | null; fraction: number | null } | null;
}

export function useSyncState(): SyncState {
  const status = useLakebaseStatus();
  const table = status.data?.syncedTable;
  if (!table) return { freshness: null, progress: null };
  return {
    freshness: { state: table.detailedState ?? table.state, lastSyncAt: table.lastSyncAt },
    progress: table.progress,
  };
}
