import { type QueryClient, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import type { LakebaseStatus } from "../../api-types.ts";
import { usePrerenderSafe } from "../../hydration.ts";
import { useFormat } from "../../locale.ts";
import { trpc } from "../../trpc.ts";
import { blocksReading, describeOutage, type OutageDescription, outageKind } from "./data-outage.ts";

/** While something keeps the orders from being read, the status is asked for this often, to notice the end. */
const OUTAGE_POLL_MS = 5_000;

/**
 * Status of the Lakebase resources (and who is looking); refreshed every 15 s (a stop shows within that), and
 * every few seconds while an outage lasts. One query shared by the header (viewer), the orders page (freshness, outages, sync progress)
 * and the admin console.
 */
export function useLakebaseStatus(refetchMs = 15_000) {
  return usePrerenderSafe(
    useQuery({
      ...trpc.lakebase.status.queryOptions(),
      refetchInterval: (query) => (outageKind(query.state.data) ? OUTAGE_POLL_MS : refetchMs),
      // Back on the tab after a while: what happened meanwhile (a stop, a delete) shows at once.
      refetchOnWindowFocus: true,
      retry: false,
    }),
  );
}

/** Starts the status request before React renders (the header and the freshness line wait for it). */
export function prefetchLakebaseStatus(queryClient: QueryClient): void {
  void queryClient.prefetchQuery({ ...trpc.lakebase.status.queryOptions(), retry: false });
}

/** The last status the page received (without subscribing): what the query client's retry rule reads. */
export function cachedLakebaseStatus(queryClient: QueryClient): LakebaseStatus | undefined {
  return queryClient.getQueryData(trpc.lakebase.status.queryKey());
}

/**
 * What keeps the orders from being read now, in words (null when nothing does or nothing is known yet).
 * `blocksReading` is what the orders queries wait on.
 */
export function useDataOutage(): OutageDescription | null {
  const status = useLakebaseStatus().data;
  const format = useFormat();
  return useMemo(() => (status ? describeOutage(status, format) : null), [status, format]);
}

/** Whether the orders cannot be read now, per the last status (false while it is unknown). */
export function useReadingBlocked(): boolean {
  return blocksReading(outageKind(useLakebaseStatus().data));
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
