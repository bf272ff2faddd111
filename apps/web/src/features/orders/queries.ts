import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { OrderFilters } from "../../api-types.ts";
import { isStillSyncing } from "../../errors.ts";
import { trpc } from "../../trpc.ts";
import type { OrdersView } from "./search.ts";

/** Rows per request in infinite scroll: large enough that 2,000 rows are a handful of requests. */
export const STREAM_PAGE_SIZE = 250;
/** While the data is syncing, poll so the table appears as soon as it is ready. */
const SYNCING_POLL_MS = 3_000;

function pollWhileSyncing(query: { state: { error: unknown } }): number | false {
  return isStillSyncing(query.state.error) ? SYNCING_POLL_MS : false;
}

/** One page of the table (pages mode). */
export function useOrdersPage({ filters, page, pageSize, sort, mode }: OrdersView) {
  return useQuery({
    ...trpc.orders.list.queryOptions({ ...filters, page, pageSize, sort }),
    placeholderData: keepPreviousData,
    enabled: mode === "pages",
    refetchInterval: pollWhileSyncing,
  });
}

/** The key-ordered cursor stream (infinite scroll mode). */
export function useOrdersStream({ filters, mode }: OrdersView) {
  return useInfiniteQuery({
    ...trpc.orders.stream.infiniteQueryOptions(
      { ...filters, pageSize: STREAM_PAGE_SIZE },
      { getNextPageParam: (last) => last.pagination.nextCursor ?? undefined, initialCursor: null },
    ),
    enabled: mode === "scroll",
    refetchInterval: pollWhileSyncing,
  });
}

export function useOrderStats(filters: OrderFilters) {
  return useQuery({
    ...trpc.orders.stats.queryOptions(filters),
    placeholderData: keepPreviousData,
    refetchInterval: pollWhileSyncing,
  });
}

export function useOrder(orderKey: number) {
  return useQuery(trpc.orders.byKey.queryOptions({ orderKey }));
}

export function useOrderHistory(orderKey: number) {
  return useQuery(trpc.orders.history.queryOptions({ orderKey }));
}
