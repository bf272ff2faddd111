import { keepPreviousData, type QueryClient, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { OrderFilters, TrendSplit } from "../../api-types.ts";
import { isStillSyncing, isUnavailable } from "../../errors.ts";
import { usePrerenderSafe } from "../../hydration.ts";
import { trpc } from "../../trpc.ts";
import { blocksReading, outageKind } from "../lakebase/data-outage.ts";
import { cachedLakebaseStatus, useReadingBlocked } from "../lakebase/use-lakebase-status.ts";
import { isInvertedRange, type OrdersView } from "./search/search.ts";

/** Rows per request in infinite scroll: large enough that 2,000 rows are a handful of requests. */
export const STREAM_PAGE_SIZE = 250;
/** While the data is syncing, poll so the table appears as soon as it is ready. */
const SYNCING_POLL_MS = 3_000;
/** While the server cannot answer (an outage the Lakebase status does not name), ask again this often. */
const UNAVAILABLE_POLL_MS = 5_000;

/** A failed read heals on its own when the data finishes syncing or the server answers again: poll till then. */
function pollUntilReadable(query: { state: { error: unknown } }): number | false {
  const { error } = query.state;
  if (isStillSyncing(error)) return SYNCING_POLL_MS;
  return isUnavailable(error) ? UNAVAILABLE_POLL_MS : false;
}

const pageOptions = ({ filters, page, pageSize, sort }: OrdersView) =>
  trpc.orders.list.queryOptions({ ...filters, page, pageSize, sort });

const streamOptions = ({ filters }: OrdersView) =>
  trpc.orders.stream.infiniteQueryOptions(
    { ...filters, pageSize: STREAM_PAGE_SIZE },
    { getNextPageParam: (last) => last.pagination.nextCursor ?? undefined, initialCursor: null },
  );

/**
 * Whether the orders may be asked for: not while the Lakebase status says they cannot be read (the page says
 * why instead, and asks again once it changes), nor with a date range no order can match.
 */
function useAskable(filters: OrderFilters): boolean {
  return !useReadingBlocked() && !isInvertedRange(filters);
}

/**
 * Starts every request the orders screen will make for this view (called by the route before React
 * renders); the hooks below then find them in flight. Errors surface through the hooks, not here.
 */
export function prefetchOrdersView(queryClient: QueryClient, view: OrdersView): void {
  if (isInvertedRange(view.filters)) return;
  // A navigation while the last status says the orders cannot be read asks nothing of the database.
  if (blocksReading(outageKind(cachedLakebaseStatus(queryClient)))) return;
  if (view.mode === "scroll") void queryClient.prefetchInfiniteQuery(streamOptions(view));
  else void queryClient.prefetchQuery(pageOptions(view));
  void queryClient.prefetchQuery(trpc.orders.stats.queryOptions(view.filters));
  if (view.order !== undefined)
    void queryClient.prefetchQuery(trpc.orders.byKey.queryOptions({ orderKey: view.order }));
}

/**
 * The route's loader asked already (and retried what was worth it): a read that failed there is not asked
 * again just because the screen mounts. Unavailable and syncing answers are polled (`pollUntilReadable`).
 */
const NO_RETRY_ON_MOUNT = { retryOnMount: false } as const;

/** One page of the table (pages mode). */
export function useOrdersPage(view: OrdersView) {
  const askable = useAskable(view.filters);
  return usePrerenderSafe(
    useQuery({
      ...pageOptions(view),
      ...NO_RETRY_ON_MOUNT,
      placeholderData: askable ? keepPreviousData : undefined,
      enabled: view.mode === "pages" && askable,
      refetchInterval: pollUntilReadable,
    }),
  );
}

/** The key-ordered cursor stream (infinite scroll mode). */
export function useOrdersStream(view: OrdersView) {
  const askable = useAskable(view.filters);
  return useInfiniteQuery({
    ...streamOptions(view),
    ...NO_RETRY_ON_MOUNT,
    enabled: view.mode === "scroll" && askable,
    refetchInterval: pollUntilReadable,
  });
}

export function useOrderStats(filters: OrderFilters) {
  const askable = useAskable(filters);
  return usePrerenderSafe(
    useQuery({
      ...trpc.orders.stats.queryOptions(filters),
      ...NO_RETRY_ON_MOUNT,
      // Figures of other filters stand in while new ones load, never for filters that will get none.
      placeholderData: askable ? keepPreviousData : undefined,
      enabled: askable,
      refetchInterval: pollUntilReadable,
    }),
  );
}

/**
 * The refusal of the screen's current reads (the table's, else the stats'), without asking for anything:
 * what the filters show beside the field the server refused.
 */
export function useReadError(view: OrdersView): unknown {
  const list = useQuery({ ...pageOptions(view), enabled: false });
  const stream = useInfiniteQuery({ ...streamOptions(view), enabled: false });
  const stats = useQuery({ ...trpc.orders.stats.queryOptions(view.filters), enabled: false });
  return (view.mode === "scroll" ? stream.error : list.error) ?? stats.error;
}

export function useOrder(orderKey: number) {
  const blocked = useReadingBlocked();
  return useQuery({ ...trpc.orders.byKey.queryOptions({ orderKey }), enabled: !blocked });
}

export function useOrderHistory(orderKey: number) {
  const blocked = useReadingBlocked();
  return useQuery({ ...trpc.orders.history.queryOptions({ orderKey }), enabled: !blocked });
}

/** Orders and revenue per month, split by status or priority (the chart's data: whole date range). */
export function useOrderTrend(splitBy: TrendSplit, filters: OrderFilters) {
  const { status, priority } = filters;
  const blocked = useReadingBlocked();
  return useQuery({
    ...trpc.orders.trend.queryOptions({ splitBy, ...(status && { status }), ...(priority && { priority }) }),
    placeholderData: keepPreviousData,
    enabled: !blocked,
  });
}
