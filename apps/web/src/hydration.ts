import type { UseQueryResult } from "@tanstack/react-query";
import { useSyncExternalStore } from "react";

const noSubscription = () => () => undefined;

/**
 * False while React hydrates the prerendered HTML (it reads the server snapshot), true from the first
 * client render on; the switch re-renders whoever asked.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/**
 * A query as the prerender saw it (no data yet, about to fetch) until hydration is done. The route's
 * loader starts the requests before React hydrates, so an answer may already be in the cache: showing it
 * in the hydrating render would not match the HTML, and React would throw the prerendered page away.
 */
export function usePrerenderSafe<R extends UseQueryResult<unknown, unknown>>(result: R): R {
  const hydrated = useHydrated();
  if (hydrated) return result;
  return {
    ...result,
    data: undefined,
    error: null,
    status: "pending",
    fetchStatus: "fetching",
    isPending: true,
    isLoading: true,
    isFetching: true,
    isSuccess: false,
    isError: false,
    isPlaceholderData: false,
  };
}
