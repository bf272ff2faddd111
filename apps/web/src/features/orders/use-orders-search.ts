import { getRouteApi } from "@tanstack/react-router";
import { useMemo } from "react";
import type { OrderColumn, OrderFilters, OrderSort, TrendSplit, ViewSearch } from "../../api-types.ts";
import {
  columnsParam,
  type Density,
  type FilterKey,
  type OrdersSearch,
  type OrdersView,
  transitions,
  type ViewMode,
  viewOf,
} from "./search.ts";
import { rememberTablePrefs } from "./table-prefs.ts";

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
    const go = (next: OrdersSearch) => void navigate({ search: next });
    const replace = (next: OrdersSearch) => void navigate({ search: next, replace: true });
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
      setColumns: (columns) => {
        const cols = columnsParam(columns);
        rememberTablePrefs({ cols: cols ? [...columns] : undefined });
        go(transitions.setColumns(search, columns));
      },
      setDensity: (density) => {
        rememberTablePrefs({ density });
        go(transitions.setDensity(search, density));
      },
      showTrend: (split) => go(transitions.showTrend(search, split)),
      filterMonth: (month) => go(transitions.filterMonth(search, month)),
      applyView: (view) => go(transitions.applyView(search, view)),
      openSharedView: (view) => replace(transitions.applyView(search, view)),
      forgetViewLink: () => replace(transitions.forgetViewLink(search)),
      restoreLayout: ({ cols, density }) => {
        let next = search;
        if (cols) next = transitions.setColumns(next, cols);
        if (density) next = transitions.setDensity(next, density);
        if (next !== search) replace(next);
      },
    };
  }, [search, navigate]);
}
