import { getRouteApi } from "@tanstack/react-router";
import { useMemo } from "react";
import type { OrderColumn, OrderFilters, OrderSort, TrendSplit, ViewSearch } from "../../../api-types.ts";
import { rememberTablePrefs } from "../columns/table-prefs.ts";
import {
  columnsParam,
  DEFAULT_COLUMNS,
  type Density,
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
  /** Puts an inverted date range the right way round. */
  swapDates: () => void;
  setSort: (sort: OrderSort) => void;
  goToPage: (page: number) => void;
  setPageSize: (pageSize: number) => void;
  switchMode: (mode: ViewMode) => void;
  openOrder: (orderKey: number) => void;
  closeOrder: () => void;
  resetView: () => void;
  /** Also remembered in this browser. */
  setColumns: (columns: readonly OrderColumn[]) => void;
  /** Also remembered in this browser. */
  setDensity: (density: Density) => void;
  showTrend: (split: TrendSplit | undefined) => void;
  filterMonth: (month: string) => void;
  applyView: (view: ViewSearch) => void;
  /** A shared link's view, in place of the link's entry (whose id is not a step to go back to). */
  openSharedView: (view: ViewSearch) => void;
  /** A shared link that could not be opened: its id goes (replacing the entry). */
  forgetViewLink: () => void;
  /** Back to every column, comfortable (and nothing remembered). */
  resetLayout: () => void;
  /** Puts the remembered layout into the URL (replacing the entry: nothing the user did). */
  restoreLayout: (layout: {
    cols?: readonly OrderColumn[] | undefined;
    density?: Density | undefined;
  }) => void;
}

/**
 * The one way the orders screen reads and changes its URL state: the validated search, the view with its
 * defaults, and named transitions (each one navigation, so Back undoes it).
 */
export function useOrdersSearch(): OrdersSearchApi {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  return useMemo(() => {
    // Each change applies to the URL state as it is when the navigation runs, not as this render saw it:
    // two changes in a row (a double click, a reset of two settings) both count.
    const go = (change: (s: OrdersSearch) => OrdersSearch, replace = false) =>
      void navigate({ search: (prev) => change(prev as OrdersSearch), replace });
    return {
      search,
      view: viewOf(search),
      setFilter: (key, value) => go((s) => transitions.setFilter(s, key, value)),
      clearFilters: () => go(transitions.clearFilters),
      swapDates: () => go(transitions.swapDates),
      setSort: (sort) => go((s) => transitions.setSort(s, sort)),
      goToPage: (page) => go((s) => transitions.goToPage(s, page)),
      setPageSize: (pageSize) => go((s) => transitions.setPageSize(s, pageSize)),
      switchMode: (mode) => go((s) => transitions.switchMode(s, mode)),
      openOrder: (orderKey) => go((s) => transitions.openOrder(s, orderKey)),
      closeOrder: () => go(transitions.closeOrder),
      resetView: () => go(transitions.resetView),
      setColumns: (columns) => {
        rememberTablePrefs({ cols: columnsParam(columns) ? [...columns] : undefined });
        go((s) => transitions.setColumns(s, columns));
      },
      setDensity: (density) => {
        rememberTablePrefs({ density });
        go((s) => transitions.setDensity(s, density));
      },
      resetLayout: () => {
        rememberTablePrefs({ cols: undefined, density: undefined });
        go((s) => transitions.setDensity(transitions.setColumns(s, DEFAULT_COLUMNS), "comfortable"));
      },
      showTrend: (split) => go((s) => transitions.showTrend(s, split)),
      filterMonth: (month) => go((s) => transitions.filterMonth(s, month)),
      applyView: (view) => go((s) => transitions.applyView(s, view)),
      openSharedView: (view) => go((s) => transitions.applyView(s, view), true),
      forgetViewLink: () => go(transitions.forgetViewLink, true),
      restoreLayout: ({ cols, density }) =>
        go((s) => {
          let next = s;
          if (cols) next = transitions.setColumns(next, cols);
          if (density) next = transitions.setDensity(next, density);
          return next;
        }, true),
    };
  }, [search, navigate]);
}
