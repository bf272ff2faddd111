import { lazy, Suspense } from "react";
import { Filters } from "./Filters.tsx";
import { PagedOrders } from "./PagedOrders.tsx";
import { ScrolledOrders } from "./ScrolledOrders.tsx";
import { StatsPanel } from "./StatsPanel.tsx";
import { useOrdersSearch } from "./use-orders-search.ts";

// The detail panel (with the dialog and the status change) is not part of the first screen: its own chunk.
const OrderPanel = lazy(() => import("./OrderPanel.tsx").then((m) => ({ default: m.OrderPanel })));

/** The orders screen: stats, filters, the table (pages or infinite scroll) and the open order's panel. */
export function OrdersPage() {
  const { view, closeOrder } = useOrdersSearch();
  return (
    <>
      <p className="lede">
        TPC-H orders synced from Unity Catalog into Lakebase. Filter, sort and page through them, or open an
        order to see its details and change its status.
      </p>
      <StatsPanel filters={view.filters} />
      <Filters />
      {view.mode === "scroll" ? <ScrolledOrders key="scroll" /> : <PagedOrders key="pages" />}
      {view.order !== undefined ? (
        <Suspense fallback={null}>
          <OrderPanel orderKey={view.order} onClose={closeOrder} />
        </Suspense>
      ) : null}
    </>
  );
}
