import { Filters } from "./Filters.tsx";
import { OrderPanel } from "./OrderPanel.tsx";
import { PagedOrders } from "./PagedOrders.tsx";
import { ScrolledOrders } from "./ScrolledOrders.tsx";
import { StatsPanel } from "./StatsPanel.tsx";
import { useOrdersSearch } from "./use-orders-search.ts";

/** The orders screen: stats, filters, the table (pages or infinite scroll) and the open order's panel. */
export function OrdersPage() {
  const { view, closeOrder } = useOrdersSearch();
  return (
    <>
      <StatsPanel filters={view.filters} />
      <Filters />
      {view.mode === "scroll" ? <ScrolledOrders key="scroll" /> : <PagedOrders key="pages" />}
      {view.order !== undefined ? <OrderPanel orderKey={view.order} onClose={closeOrder} /> : null}
    </>
  );
}
