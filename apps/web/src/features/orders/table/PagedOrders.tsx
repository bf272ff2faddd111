import { useDeferredValue, useEffect, useMemo, useRef } from "react";
import type { Order } from "../../../api-types.ts";
import { columnsOf } from "../columns/columns.tsx";
import { useOrdersPage } from "../queries.ts";
import { useOrdersSearch } from "../search/use-orders-search.ts";
import { OrdersTable } from "./OrdersTable.tsx";
import { Pager } from "./Pager.tsx";
import { ResultsGate } from "./ResultsGate.tsx";

const NO_ORDERS: readonly Order[] = [];

/** Pages mode: one page of the current filters and sort, with the pager above it. */
export function PagedOrders() {
  const { view, setSort, openOrder } = useOrdersSearch();
  const list = useOrdersPage(view);
  // While a new sort loads, the previous rows stay (placeholder): the headers keep describing those rows.
  const settledSort = useRef(view.sort);
  const dataSort = list.isPlaceholderData ? settledSort.current : view.sort;
  useEffect(() => {
    if (!list.isPlaceholderData) settledSort.current = view.sort;
  });
  // A page of rows is the largest render of the screen: deferred, React renders it in slices that leave
  // the main thread free (then commits every row at once), instead of one long task when the data lands.
  const current = useMemo(() => ({ data: list.data, sort: dataSort }), [list.data, dataSort]);
  const { data: shown, sort: shownSort } = useDeferredValue(current);
  const columns = useMemo(() => columnsOf(view.columns), [view.columns]);
  return (
    <ResultsGate query={list} empty={list.data?.orders.length === 0} pagination={list.data?.pagination}>
      <Pager pagination={list.data?.pagination} disabled={list.isPlaceholderData} />
      <OrdersTable
        orders={shown?.orders ?? NO_ORDERS}
        totalRows={shown?.pagination.totalCount ?? null}
        rowOffset={shown ? (shown.pagination.page - 1) * shown.pagination.pageSize : 0}
        sort={shownSort}
        onSortChange={setSort}
        onOpen={(order) => openOrder(order.orderKey)}
        selectedKey={view.order}
        loading={!shown}
        columns={columns}
        density={view.density}
      />
    </ResultsGate>
  );
}
