import { useMemo } from "react";
import { useFormat } from "../../../locale.ts";
import { columnsOf } from "../columns/columns.tsx";
import { useOrdersStream } from "../queries.ts";
import { useOrdersSearch } from "../search/use-orders-search.ts";
import { OrdersTable } from "./OrdersTable.tsx";
import { ResultsGate } from "./ResultsGate.tsx";

/** Infinite scroll: the key-ordered stream, loaded ahead of the scroll position, rows virtualized. */
export function ScrolledOrders() {
  const { view, openOrder } = useOrdersSearch();
  const stream = useOrdersStream(view);
  const format = useFormat();
  const columns = useMemo(() => columnsOf(view.columns), [view.columns]);
  const orders = useMemo(() => stream.data?.pages.flatMap((p) => p.orders) ?? [], [stream.data]);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = stream;
  const infinite = useMemo(
    () => ({
      hasMore: Boolean(hasNextPage),
      loadingMore: isFetchingNextPage,
      onLoadMore: () => {
        if (!isFetchingNextPage) void fetchNextPage();
      },
    }),
    [hasNextPage, isFetchingNextPage, fetchNextPage],
  );
  return (
    <ResultsGate query={stream} empty={!stream.isPending && orders.length === 0}>
      <p className="muted scroll-summary" aria-live="polite">
        {format.integer(orders.length)} orders loaded
        {hasNextPage ? ", more load as you scroll" : ", end of list"}
      </p>
      <OrdersTable
        orders={orders}
        totalRows={hasNextPage ? null : orders.length}
        sort={view.sort}
        onOpen={(order) => openOrder(order.orderKey)}
        selectedKey={view.order}
        loading={stream.isPending}
        infinite={infinite}
        columns={columns}
        density={view.density}
      />
    </ResultsGate>
  );
}
