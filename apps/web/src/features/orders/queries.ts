import { keepPreviousData, type QueryClient, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { OrderFilters, TrendSplit } from "../../api-types.ts";
import { isStillSyncing } from "../../errors.ts";
import { usePrerenderSafe } from "../../hydration.ts";
import { trpc } from "../../trpc.ts";
import type { OrdersView } from "./search/search.ts";

/** Rows per request in infinite scroll: large enough that 2,000 rows are a handful of requests. */
export const STREAM_PAGE_SIZE = 250;
/** While the data is syncing, poll so the table appears as soon as it is ready. */
const SYNCING_POLL_MS = 3_000;

function pollWhileSyncing(query: { state: { error: unknown } }): number | false {
  return isStillSyncing(query.state.error) ? SYNCING_POLL_MS : false;
}

const pageOptions = ({ filters, page, pageSize, sort }: OrdersView) =>
  trpc.orders.list.queryOptions({ ...filters, page, pageSize, sort });

const streamOptions = ({ filters }: OrdersView) =>
  trpc.orders.stream.infiniteQueryOptions(
    { ...filters, pageSize: STREAM_PAGE_SIZE },
    { getNextPageParam: (last) => last.pagination.nextCursor ?? undefined, initialCursor: null },
  );

/**
 * Starts every request the orders screen will make for this view (called by the route before React
 * renders); the hooks below then find them in flight. Errors surface through the hooks, not here.
 */
export function prefetchOrdersView(queryClient: QueryClient, view: OrdersView): void {
  if (view.mode === "scroll") void queryClient.prefetchInfiniteQuery(streamOptions(view));
  else void queryClient.prefetchQuery(pageOptions(view));
  void queryClient.prefetchQuery(trpc.orders.stats.queryOptions(view.filters));
  if (view.order !== undefined)
    void queryClient.prefetchQuery(trpc.orders.byKey.queryOptions({ orderKey: view.order }));
}

/** One page of the table (pages mode). */
export function useOrdersPage(view: OrdersView) {
  const { mode } = view;
  return usePrerenderSafe(
    useQuery({
      ...pageOptions(view),
      placeholderData: keepPreviousData,
      enabled: mode === "pages",
      refetchInterval: pollWhileSyncing,
    }),
  );
}

/** The key-ordered cursor stream (infinite scroll mode). */
export function useOrdersStream(view: OrdersView) {
  const { mode } = view;
  return useInfiniteQuery({
    ...streamOptions(view),
    enabled: mode === "scroll",
    refetchInterval: pollWhileSyncing,
  });
}

export function useOrderStats(filters: OrderFilters) {
  return usePrerenderSafe(
    useQuery({
      ...trpc.orders.stats.queryOptions(filters),
      placeholderData: keepPreviousData,
      refetchInterval: pollWhileSyncing,
    }),
  );
}

export function useOrder(orderKey: number) {
  return useQuery(trpc.orders.byKey.queryOptions({ orderKey }));
}

export function useOrderHistory(orderKey: number) {
  return useQuery(trpc.orders.history.queryOptions({ orderKey }));
}

/** Orders and revenue per month, split by status or priority (the chart's data: whole date range). */
export function useOrderTrend(splitBy: TrendSplit, filters: OrderFilters) {
  const { status, priority } = filters;
  return useQuery({
    ...trpc.orders.trend.queryOptions({ splitBy, ...(status && { status }), ...(priority && { priority }) }),
    placeholderData: keepPreviousData,
  });
}
