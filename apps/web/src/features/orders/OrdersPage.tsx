import { lazy, Suspense, useEffect, useRef } from "react";
import { useHydrated } from "../../hydration.ts";
import { OutageNotice } from "../lakebase/OutageNotice.tsx";
import { useRefetchWhenReadable } from "./back-online.ts";
import { useTablePrefs } from "./columns/table-prefs.ts";
import { Filters } from "./filters/Filters.tsx";
import { useOrdersSearch } from "./search/use-orders-search.ts";
import { StatsPanel } from "./stats/StatsPanel.tsx";
import { PagedOrders } from "./table/PagedOrders.tsx";
import { ScrolledOrders } from "./table/ScrolledOrders.tsx";
import { TableToolbar } from "./table/TableToolbar.tsx";
import { TrendPanel } from "./trend/TrendPanel.tsx";

// The detail panel (with the dialog and the status change) is not part of the first screen: its own chunk.
const OrderPanel = lazy(() => import("./detail/OrderPanel.tsx").then((m) => ({ default: m.OrderPanel })));

/**
 * The orders screen, top to bottom: what keeps the data from being read (if anything), stats, filters, the
 * table's tools with the trend below them (the Trend button stays where it was pressed), the table (pages or
 * infinite scroll) and the open order's panel.
 */
export function OrdersPage() {
  const { search, view, closeOrder, restoreLayout } = useOrdersSearch();
  // A visit whose URL says nothing of the layout gets the one this browser remembers (then in the URL too).
  // Once per visit, on arrival: later entries without it (Back past a column change) stay as they were.
  const prefs = useTablePrefs();
  const hydrated = useHydrated();
  const arrived = useRef(false);
  const bare = !search.cols && !search.density && !search.view;
  useEffect(() => {
    if (!hydrated || arrived.current) return;
    arrived.current = true;
    if (prefs && bare) restoreLayout(prefs);
  }, [hydrated, prefs, bare, restoreLayout]);
  useRefetchWhenReadable();
  return (
    <>
      <div className="page-intro">
        <p className="lede">
          TPC-H orders synced from Unity Catalog into Lakebase. Filter, sort and page through them, or open an
          order to see its details and change its status.
        </p>
        <OutageNotice />
      </div>
      <StatsPanel filters={view.filters} />
      <Filters />
      <TableToolbar />
      {view.trend ? <TrendPanel split={view.trend} /> : null}
      {view.mode === "scroll" ? <ScrolledOrders key="scroll" /> : <PagedOrders key="pages" />}
      {view.order !== undefined ? (
        <Suspense fallback={null}>
          <OrderPanel orderKey={view.order} onClose={closeOrder} />
        </Suspense>
      ) : null}
    </>
  );
}
