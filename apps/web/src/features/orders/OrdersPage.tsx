import { getRouteApi } from "@tanstack/react-router";
import { useMemo } from "react";
import { Filters } from "../components/Filters.tsx";
import { OrderDetail } from "../components/OrderDetail.tsx";
import { OrdersTable } from "../components/OrdersTable.tsx";
import { Pager } from "../components/Pager.tsx";
import { EmptyState, ErrorMessage, SyncProgress } from "../components/States.tsx";
import { StatsHeader } from "../components/StatsHeader.tsx";
import { describeError, isStillSyncing } from "../errors.ts";
import { useSyncState } from "../hooks/lakebase.ts";
import {
  useOrder,
  useOrderHistory,
  useOrderStats,
  useOrdersPage,
  useOrdersStream,
  useUpdateStatus,
} from "../hooks/orders.ts";
import { filtersOf, type OrdersSearch, pageSizeOf } from "../search.ts";

const route = getRouteApi("/");

export function OrdersPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const filters = useMemo(() => filtersOf(search), [search]);
  const scroll = search.mode === "scroll";
  const page = search.page ?? 1;
  const pageSize = pageSizeOf(search);
  const sort = search.sort ?? "orderKey";

  const list = useOrdersPage(filters, page, pageSize, sort, !scroll);
  const stream = useOrdersStream(filters, scroll);
  const stats = useOrderStats(filters);
  const sync = useSyncState();

  const setSearch = (next: OrdersSearch, replace = false) => navigate({ search: next, replace });
  const openOrder = (orderKey: number) => setSearch({ ...search, order: orderKey });
  const closeOrder = () => {
    const next = { ...search };
    delete next.order;
    setSearch(next);
  };

  const active = scroll ? stream : list;
  const streamOrders = useMemo(() => stream.data?.pages.flatMap((p) => p.orders) ?? [], [stream.data]);
  const orders = scroll ? streamOrders : (list.data?.orders ?? []);
  const syncing = isStillSyncing(active.error) || isStillSyncing(stats.error);
  const infinite = useMemo(
    () => ({
      hasMore: Boolean(stream.hasNextPage),
      loadingMore: stream.isFetchingNextPage,
      onLoadMore: () => {
        if (!stream.isFetchingNextPage) void stream.fetchNextPage();
      },
    }),
    [stream.hasNextPage, stream.isFetchingNextPage, stream.fetchNextPage],
  );

  return (
    <>
      <StatsHeader stats={stats.data} loading={stats.isFetching} freshness={sync.freshness} />
      <Filters search={search} onChange={(next) => setSearch(next)} onJump={openOrder} />
      {syncing ? (
        <SyncProgress
          syncedRows={sync.progress?.syncedRows ?? null}
          totalRows={sync.progress?.totalRows ?? null}
          fraction={sync.progress?.fraction ?? null}
        />
      ) : active.error ? (
        <ErrorMessage info={describeError(active.error)} onRetry={() => void active.refetch()} />
      ) : !active.isPending && orders.length === 0 ? (
        <EmptyState
          onClear={() =>
            setSearch({ ...(search.mode ? { mode: search.mode } : {}), ...(search.sort ? { sort } : {}) })
          }
        />
      ) : (
        <>
          {!scroll && list.data ? (
            <Pager
              pagination={list.data.pagination}
              disabled={list.isPlaceholderData}
              onPageChange={(p) => {
                const next: OrdersSearch = { ...search, page: p };
                if (p === 1) delete next.page;
                setSearch(next);
              }}
              onPageSizeChange={(size) => {
                const next: OrdersSearch = { ...search, pageSize: size };
                delete next.page;
                setSearch(next);
              }}
            />
          ) : null}
          {scroll ? (
            <p className="muted scroll-summary" aria-live="polite">
              {orders.length.toLocaleString("en-US")} orders loaded
              {stream.hasNextPage ? ", more load as you scroll" : ", end of list"}
            </p>
          ) : null}
          <OrdersTable
            key={scroll ? "scroll" : "pages"}
            orders={orders}
            totalRows={
              scroll
                ? stream.hasNextPage
                  ? null
                  : orders.length
                : (list.data?.pagination.totalCount ?? null)
            }
            rowOffset={scroll ? 0 : (page - 1) * pageSize}
            sort={scroll ? "orderKey" : sort}
            onSortChange={
              scroll
                ? undefined
                : (next) => {
                    const nextSearch: OrdersSearch = { ...search, sort: next };
                    if (next === "orderKey") delete nextSearch.sort;
                    delete nextSearch.page;
                    setSearch(nextSearch);
                  }
            }
            onOpen={(order) => openOrder(order.orderKey)}
            selectedKey={search.order}
            loading={active.isPending}
            infinite={scroll ? infinite : undefined}
          />
        </>
      )}
      {search.order !== undefined ? <OrderPanel orderKey={search.order} onClose={closeOrder} /> : null}
    </>
  );
}

function OrderPanel({ orderKey, onClose }: { orderKey: number; onClose: () => void }) {
  const order = useOrder(orderKey);
  const history = useOrderHistory(orderKey);
  const update = useUpdateStatus(orderKey);
  return (
    <OrderDetail
      orderKey={orderKey}
      order={order.data}
      error={order.error ? describeError(order.error) : null}
      onRetry={() => void order.refetch()}
      history={history.data}
      historyLoading={history.isPending}
      onStatusChange={(status) => update.change(status, order.data?.status ?? status)}
      statusPending={update.pending}
      rollbackMessage={update.rollback}
      onClose={onClose}
    />
  );
}
