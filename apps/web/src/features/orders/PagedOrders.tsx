import { useDeferredValue } from "react";
import type { Order } from "../../api-types.ts";
import { OrdersTable } from "./OrdersTable.tsx";
import { Pager } from "./Pager.tsx";
import { useOrdersPage } from "./queries.ts";
import { ResultsGate } from "./ResultsGate.tsx";
import { useOrdersSearch } from "./use-orders-search.ts";

const NO_ORDERS: readonly Order[] = [];

/** Pages mode: one page of the current filters and sort, with the pager above it. */
export function PagedOrders() {
  const { view, setSort, openOrder } = useOrdersSearch();
  const list = useOrdersPage(view);
  // A page of rows is the largest render of the screen: deferred, React renders it in slices that leave
  // the main thread free (then commits every row at once), instead of one long task when the data lands.
  const shown = useDeferredValue(list.data);
  return (
    <ResultsGate query={list} empty={list.data?.orders.length === 0}>
      <Pager pagination={list.data?.pagination} disabled={list.isPlaceholderData} />
      <OrdersTable
        orders={shown?.orders ?? NO_ORDERS}
        totalRows={shown?.pagination.totalCount ?? null}
        rowOffset={shown ? (shown.pagination.page - 1) * shown.pagination.pageSize : 0}
        sort={view.sort}
        onSortChange={setSort}
        onOpen={(order) => openOrder(order.orderKey)}
        selectedKey={view.order}
        loading={!shown}
      />
    </ResultsGate>
  );
}
