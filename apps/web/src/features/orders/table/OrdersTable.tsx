import { useVirtualizer } from "@tanstack/react-virtual";
import { type KeyboardEvent, useEffect, useRef, useState } from "react";
import type { Order, OrderSort } from "../../../api-types.ts";
import { useFormat } from "../../../locale.ts";
import { SkeletonRows } from "../../../ui/SkeletonRows.tsx";
import { useMediaQuery } from "../../../ui/use-media-query.ts";
import { COLUMNS, type Column, columnClass, ROW_HEIGHTS, type SortKey } from "../columns/columns.tsx";
import type { Density } from "../search/search.ts";
import { useSideEdges, useSortedColumnInView } from "./table-frame.ts";

/** Where the stylesheet switches to the phone layout. */
const NARROW_SCREEN = "(max-width: 640px)";
/** In scroll mode, ask for the next page while this many loaded rows are still below the viewport. */
const LOAD_AHEAD_ROWS = 300;

export interface InfiniteOptions {
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
}

export interface OrdersTableProps {
  orders: readonly Order[];
  /** Rows in the whole result, for aria-rowcount; null when not counted. */
  totalRows: number | null;
  /** Position of orders[0] in the whole result (pages mode), for aria-rowindex. */
  rowOffset?: number;
  sort: OrderSort;
  /** Absent when the current mode cannot sort (the cursor stream walks in key order). */
  onSortChange?: (sort: OrderSort) => void;
  onOpen: (order: Order) => void;
  selectedKey?: number | undefined;
  loading?: boolean;
  /** Virtualized infinite scrolling; without it a page's rows are all rendered, except on a phone. */
  infinite?: InfiniteOptions;
  /** The visible columns, in order (default: all). */
  columns?: readonly Column[];
  density?: Density;
}

function nextSort(current: OrderSort, key: SortKey): OrderSort {
  if (current === key) return `-${key}`;
  return key;
}

export function OrdersTable(props: OrdersTableProps) {
  const { orders, sort, onSortChange, onOpen, selectedKey, loading, infinite } = props;
  const columns = props.columns ?? COLUMNS;
  const density = props.density ?? "comfortable";
  const rowHeight = ROW_HEIGHTS[density];
  const format = useFormat();
  // A phone's frame shows a dozen rows: rendering only those (and a few around) keeps a slow CPU free.
  const narrow = useMediaQuery(NARROW_SCREEN);
  const virtual = Boolean(infinite) || narrow;
  const rowOffset = props.rowOffset ?? 0;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [activeIndex, setActiveIndex] = useState(0);
  const focusPending = useRef(false);

  const rows = orders;
  const edges = useSideEdges(scrollRef, columns);
  useSortedColumnInView(scrollRef, sort);

  const virtualizer = useVirtualizer({
    count: virtual ? rows.length : 0,
    // Pages mode on a wide screen renders every row: no observers and no measuring (forced layouts).
    enabled: virtual,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: infinite ? 20 : 8,
  });
  const virtualItems = virtual ? virtualizer.getVirtualItems() : [];
  const lastVisible = virtualItems[virtualItems.length - 1]?.index ?? -1;

  useEffect(() => {
    if (!infinite?.hasMore || infinite.loadingMore) return;
    if (rows.length === 0 || lastVisible >= rows.length - LOAD_AHEAD_ROWS) infinite.onLoadMore();
  }, [infinite, lastVisible, rows.length]);

  // A new page or filter resets the keyboard position to the top.
  const firstKey = orders[0]?.orderKey;
  useEffect(() => {
    if (!infinite) setActiveIndex(0);
  }, [firstKey, infinite]);

  useEffect(() => {
    if (!focusPending.current) return;
    const row = scrollRef.current?.querySelector<HTMLElement>(`tr[data-index="${activeIndex}"]`);
    if (row) {
      focusPending.current = false;
      row.focus({ preventScroll: virtual });
    }
  });

  function moveTo(index: number) {
    const clamped = Math.max(0, Math.min(rows.length - 1, index));
    focusPending.current = true;
    setActiveIndex(clamped);
    if (virtual) virtualizer.scrollToIndex(clamped, { align: "auto" });
  }

  function onKeyDown(event: KeyboardEvent<HTMLTableSectionElement>) {
    const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 360) / rowHeight) - 1);
    const moves: Record<string, number> = {
      ArrowDown: activeIndex + 1,
      ArrowUp: activeIndex - 1,
      PageDown: activeIndex + pageRows,
      PageUp: activeIndex - pageRows,
      Home: 0,
      End: rows.length - 1,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      moveTo(target);
    } else if (event.key === "Enter") {
      const order = orders[activeIndex];
      if (order) {
        event.preventDefault();
        onOpen(order);
      }
    }
  }

  const visible = virtual
    ? virtualItems.map((item) => ({ index: item.index, order: rows[item.index] }))
    : rows.map((order, index) => ({ index, order }));
  const paddingTop = virtual ? (virtualItems[0]?.start ?? 0) : 0;
  const paddingBottom = virtual
    ? Math.max(0, virtualizer.getTotalSize() - (virtualItems[virtualItems.length - 1]?.end ?? 0))
    : 0;
  const columnCount = columns.length;
  const totalRows = props.totalRows ?? (infinite?.hasMore ? -1 : rows.length);

  return (
    <div
      className="table-frame"
      data-more-left={edges.left || undefined}
      data-more-right={edges.right || undefined}
    >
      {edges.left || edges.right ? (
        // Wider than its frame (a phone): the hidden columns are one visible tap away, not only a swipe.
        <button
          type="button"
          className="more-columns"
          onClick={() => {
            const frame = scrollRef.current;
            if (!frame) return;
            const left = edges.right ? frame.scrollLeft + frame.clientWidth * 0.8 : 0;
            frame.scrollTo({ left, behavior: "smooth" });
          }}
        >
          {edges.right ? "More columns →" : "← First columns"}
        </button>
      ) : null}
      <div
        ref={scrollRef}
        className="table-scroll"
        data-mode={infinite ? "scroll" : "pages"}
        data-density={density}
        onScroll={edges.update}
      >
        <table className="orders-table" aria-rowcount={totalRows >= 0 ? totalRows + 1 : -1}>
          <caption className="visually-hidden">
            Orders. Use the arrow keys to move between rows, Enter to open an order.
          </caption>
          <thead>
            <tr aria-rowindex={1}>
              {columns.map((column) => {
                const sortKey = onSortChange ? column.sortKey : undefined;
                const direction =
                  sortKey && sort === sortKey
                    ? "ascending"
                    : sortKey && sort === `-${sortKey}`
                      ? "descending"
                      : undefined;
                return (
                  <th
                    key={column.id}
                    scope="col"
                    className={columnClass(column)}
                    aria-sort={sortKey ? (direction ?? "none") : undefined}
                  >
                    {sortKey ? (
                      <button
                        type="button"
                        className="sort-button"
                        onClick={() => onSortChange?.(nextSort(sort, sortKey))}
                      >
                        {column.header}
                        <span aria-hidden="true" className="sort-icon">
                          {direction === "ascending" ? "▲" : direction === "descending" ? "▼" : "↕"}
                        </span>
                      </button>
                    ) : (
                      column.header
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody onKeyDown={onKeyDown}>
            {loading && rows.length === 0 ? <SkeletonRows rows={12} columns={columnCount} /> : null}
            {paddingTop > 0 ? (
              // biome-ignore lint/a11y/noAriaHiddenOnFocusable: spacer rows are not focusable (no tabIndex)
              <tr aria-hidden="true" className="spacer">
                <td colSpan={columnCount} style={{ height: paddingTop }} />
              </tr>
            ) : null}
            {visible.map(({ index, order }) => {
              if (!order) return null;
              return (
                <tr
                  key={order.orderKey}
                  data-index={index}
                  data-order-key={order.orderKey}
                  aria-rowindex={rowOffset + index + 2}
                  aria-selected={order.orderKey === selectedKey}
                  tabIndex={index === activeIndex ? 0 : -1}
                  className="order-row"
                  onClick={() => {
                    setActiveIndex(index);
                    onOpen(order);
                  }}
                  onFocus={() => setActiveIndex(index)}
                >
                  {columns.map((column) => (
                    <td key={column.id} className={columnClass(column)} title={column.title?.(order)}>
                      {column.cell(order, format)}
                    </td>
                  ))}
                </tr>
              );
            })}
            {paddingBottom > 0 ? (
              // biome-ignore lint/a11y/noAriaHiddenOnFocusable: spacer rows are not focusable (no tabIndex)
              <tr aria-hidden="true" className="spacer">
                <td colSpan={columnCount} style={{ height: paddingBottom }} />
              </tr>
            ) : null}
          </tbody>
        </table>
        {infinite?.loadingMore ? (
          <p className="loading-more" role="status">
            Loading more orders…
          </p>
        ) : null}
      </div>
    </div>
  );
}
