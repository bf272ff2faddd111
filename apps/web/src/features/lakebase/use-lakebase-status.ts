import { type QueryClient, useQuery } from "@tanstack/react-query";
import { usePrerenderSafe } from "../../hydration.ts";
import { trpc } from "../../trpc.ts";

/**
 * Status of the Lakebase resources (and who is looking); refreshed slowly. One query shared by the header
 * (viewer), the orders page (freshness, sync progress) and the admin console.
 */
export function useLakebaseStatus(refetchMs = 30_000) {
  return usePrerenderSafe(
    useQuery({ ...trpc.lakebase.status.queryOptions(), refetchInterval: refetchMs, retry: false }),
  );
}

/** Starts the status request before React renders (the header and the freshness line wait for it). */
export function prefetchLakebaseStatus(queryClient: QueryClient): void {
  void queryClient.prefetchQuery({ ...trpc.lakebase.status.queryOptions(), retry: false });
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

export interface SyncProgressFigures {
  syncedRows: number | null;
  totalRows: number | null;
  fraction: number | null;
}

/** How far the synced table's first snapshot has come (null when unknown or not syncing). */
export function useSyncProgress(): SyncProgressFigures | null {
  return useLakebaseStatus().data?.syncedTable?.progress ?? null;
}
