import { OrdersTable } from "./OrdersTable.tsx";
import { Pager } from "./Pager.tsx";
import { useOrdersPage } from "./queries.ts";
import { ResultsGate } from "./ResultsGate.tsx";
import { useOrdersSearch } from "./use-orders-search.ts";

/** Pages mode: one page of the current filters and sort, with the pager above it. */
export function PagedOrders() {
  const { view, setSort, openOrder } = useOrdersSearch();
  const list = useOrdersPage(view);
  const orders = list.data?.orders ?? [];
  return (
    <ResultsGate query={list} empty={!list.isPending && orders.length === 0}>
      {list.data ? <Pager pagination={list.data.pagination} disabled={list.isPlaceholderData} /> : null}
      <OrdersTable
        orders={orders}
        totalRows={list.data?.pagination.totalCount ?? null}
        rowOffset={(view.page - 1) * view.pageSize}
        sort={view.sort}
        onSortChange={setSort}
        onOpen={(order) => openOrder(order.orderKey)}
        selectedKey={view.order}
        loading={list.isPending}
      />
    </ResultsGate>
  );
}
