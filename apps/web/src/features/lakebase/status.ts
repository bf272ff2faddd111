import { useQuery } from "@tanstack/react-query";
import { trpc } from "../../trpc.ts";

/**
 * Status of the Lakebase resources (and who is looking); refreshed slowly. One query shared by the header
 * (viewer), the orders page (freshness, sync progress) and the admin console.
 */
export function useLakebaseStatus(refetchMs = 30_000) {
  return useQuery({ ...trpc.lakebase.status.queryOptions(), refetchInterval: refetchMs, retry: false });
}

export interface Viewer {
  email: string | null;
  isAdmin: boolean;
}

/**
 * Who is looking, to show or hide the admin console. The API still refuses non-admins on every admin
 * mutation: this only avoids offering controls that would fail.
 */
export function useViewer(): Viewer {
  const viewer = useLakebaseStatus().data?.viewer;
  return { email: viewer?.email ?? null, isAdmin: viewer?.isAdmin ?? false };
}

export interface Freshness {
  state: string | null;
  lastSyncAt: string | null;
}

export interface SyncState {
  freshness: Freshness | null;
  progress: { syncedRows: number | null; totalRows: number | null; fraction: number | null } | null;
}

/** How fresh the synced orders are, and how far the first sync has come while it runs. */
export function useSyncState(): SyncState {
  const table = useLakebaseStatus().data?.syncedTable;
  if (!table) return { freshness: null, progress: null };
  return {
    freshness: { state: table.detailedState ?? table.state, lastSyncAt: table.lastSyncAt },
    progress: table.progress,
  };
}
