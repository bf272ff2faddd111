import { getRouteApi } from "@tanstack/react-router";
import { useMemo } from "react";
import type { OrderFilters, OrderSort } from "../../api-types.ts";
import {
  type FilterKey,
  type OrdersSearch,
  type OrdersView,
  transitions,
  type ViewMode,
  viewOf,
} from "./search.ts";

const route = getRouteApi("/");

export interface OrdersSearchApi {
  search: OrdersSearch;
  view: OrdersView;
  setFilter: <K extends FilterKey>(key: K, value: OrderFilters[K] | undefined) => void;
  clearFilters: () => void;
  setSort: (sort: OrderSort) => void;
  goToPage: (page: number) => void;
  setPageSize: (pageSize: number) => void;
  switchMode: (mode: ViewMode) => void;
  openOrder: (orderKey: number) => void;
  closeOrder: () => void;
  resetView: () => void;
}

/**
 * The one way the orders screen reads and changes its URL state: the validated search, the view with its
 * defaults, and named transitions (each one navigation, so Back undoes it).
 */
export function useOrdersSearch(): OrdersSearchApi {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  return useMemo(() => {
    const go = (next: OrdersSearch) => void navigate({ search: next });
    return {
      search,
      view: viewOf(search),
      setFilter: (key, value) => go(transitions.setFilter(search, key, value)),
      clearFilters: () => go(transitions.clearFilters(search)),
      setSort: (sort) => go(transitions.setSort(search, sort)),
      goToPage: (page) => go(transitions.goToPage(search, page)),
      setPageSize: (pageSize) => go(transitions.setPageSize(search, pageSize)),
      switchMode: (mode) => go(transitions.switchMode(search, mode)),
      openOrder: (orderKey) => go(transitions.openOrder(search, orderKey)),
      closeOrder: () => go(transitions.closeOrder(search)),
      resetView: () => go(transitions.resetView(search)),
    };
  }, [search, navigate]);
}
