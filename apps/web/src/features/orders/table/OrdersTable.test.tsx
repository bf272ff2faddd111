import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Order, OrderSort } from "../../../api-types.ts";
import { priorityLabel } from "../../../labels.ts";
import { OrdersTable } from "./OrdersTable.tsx";
import { makeOrders } from "./test-orders.ts";

afterEach(cleanup);

// happy-dom has no layout engine: give the scroll container the height a browser would, so the
// virtualizer has a viewport to fill. Only the size is faked; the virtualizer itself is real.
const clientHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "clientHeight");
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, "clientHeight", {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains("table-scroll") ? 720 : 0;
    },
  });
});
afterAll(() => {
  if (clientHeight) Object.defineProperty(HTMLElement.prototype, "clientHeight", clientHeight);
});

function renderTable(
  orders: Order[],
  options: { sort?: OrderSort; onSortChange?: (s: OrderSort) => void } = {},
) {
  const onOpen = vi.fn<(order: Order) => void>();
  const view = render(
    <OrdersTable
      orders={orders}
      totalRows={1000}
      rowOffset={200}
      sort={options.sort ?? "orderKey"}
      onSortChange={options.onSortChange}
      onOpen={onOpen}
    />,
  );
  return { ...view, onOpen };
}

function dataRows() {
  return screen.getAllByRole("row").filter((row) => row.hasAttribute("data-order-key"));
}

describe("OrdersTable", () => {
  it("renders every order with money right-aligned and formatted, dates formatted, status as a badge", () => {
    const orders = makeOrders(5, 101);
    renderTable(orders);
    const rows = dataRows();
    expect(rows).toHaveLength(5);
    const first = orders[0]!;
    const cells = [...rows[0]!.querySelectorAll("td")];
    expect(cells.map((c) => c.textContent)).toEqual([
      String(first.orderKey),
      String(first.custKey),
      "Partial",
      "$124,684.50",
      "Mar 11, 1995", // 1995-03-11
      priorityLabel(first.priority),
      first.clerk,
      "0",
      first.comment,
    ]);
    expect(cells[3]!.className).toContain("num");
    expect(within(cells[2]!).getByText("Partial").className).toContain("badge-status-p");
    // Labels on screen, the codes in the tooltip.
    expect(cells[5]!.title).toBe(`Priority code ${first.priority}`);
  });

  it("exposes table semantics: column headers, row count and absolute row indexes", () => {
    renderTable(makeOrders(3));
    const grid = screen.getByRole("table");
    expect(grid.getAttribute("aria-rowcount")).toBe("1001");
    expect(screen.getAllByRole("columnheader")).toHaveLength(9);
    // Page 3 of 100-row pages: the first data row is row 201 of the result, 202 counting the header.
    expect(dataRows()[0]!.getAttribute("aria-rowindex")).toBe("202");
  });

  it("moves through rows with the arrow keys and opens the active row with Enter", () => {
    const orders = makeOrders(10, 500);
    const { onOpen } = renderTable(orders);
    const rows = dataRows();
    act(() => rows[0]!.focus());
    fireEvent.keyDown(rows[0]!, { key: "ArrowDown" });
    fireEvent.keyDown(document.activeElement!, { key: "ArrowDown" });
    expect(document.activeElement?.getAttribute("data-order-key")).toBe("502");
    fireEvent.keyDown(document.activeElement!, { key: "ArrowUp" });
    expect(document.activeElement?.getAttribute("data-order-key")).toBe("501");
    fireEvent.keyDown(document.activeElement!, { key: "End" });
    expect(document.activeElement?.getAttribute("data-order-key")).toBe("509");
    fireEvent.keyDown(document.activeElement!, { key: "ArrowDown" });
    expect(document.activeElement?.getAttribute("data-order-key")).toBe("509");
    fireEvent.keyDown(document.activeElement!, { key: "Enter" });
    expect(onOpen).toHaveBeenCalledTimes(1);
    expect(onOpen.mock.calls[0]![0].orderKey).toBe(509);
    // Only the active row is in the tab order (roving tabindex).
    expect(dataRows().filter((row) => row.tabIndex === 0)).toHaveLength(1);
  });

  it("sorts from the headers, toggling direction, and reports the state with aria-sort", () => {
    const onSortChange = vi.fn<(sort: OrderSort) => void>();
    const { rerender, onOpen } = renderTable(makeOrders(3), { sort: "totalPrice", onSortChange });
    const total = screen.getByRole("columnheader", { name: /Total/ });
    expect(total.getAttribute("aria-sort")).toBe("ascending");
    fireEvent.click(within(total).getByRole("button"));
    expect(onSortChange).toHaveBeenLastCalledWith("-totalPrice");
    fireEvent.click(within(screen.getByRole("columnheader", { name: /Date/ })).getByRole("button"));
    expect(onSortChange).toHaveBeenLastCalledWith("orderDate");
    // Not every column sorts: the API sorts by key, date and total only.
    expect(within(screen.getByRole("columnheader", { name: "Clerk" })).queryByRole("button")).toBeNull();

    rerender(
      <OrdersTable
        orders={makeOrders(3)}
        totalRows={3}
        sort="-totalPrice"
        onSortChange={onSortChange}
        onOpen={onOpen}
      />,
    );
    expect(screen.getByRole("columnheader", { name: /Total/ }).getAttribute("aria-sort")).toBe("descending");
  });

  it("shows skeleton rows while the first page loads", () => {
    const { container } = render(
      <OrdersTable orders={[]} totalRows={null} sort="orderKey" onOpen={() => {}} loading />,
    );
    expect(container.querySelectorAll("tr.skeleton-row").length).toBeGreaterThan(0);
  });

  it("virtualizes long lists: renders a window of rows and asks for more near the end", () => {
    const onLoadMore = vi.fn();
    const orders = makeOrders(20_000);
    render(
      <OrdersTable
        orders={orders}
        totalRows={null}
        sort="orderKey"
        onOpen={() => {}}
        infinite={{ hasMore: true, loadingMore: false, onLoadMore }}
      />,
    );
    const rendered = dataRows().length;
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(200);
    // 20,000 rows loaded and the viewport at the top: nothing to prefetch yet.
    expect(onLoadMore).not.toHaveBeenCalled();
    cleanup();

    render(
      <OrdersTable
        orders={makeOrders(50)}
        totalRows={null}
        sort="orderKey"
        onOpen={() => {}}
        infinite={{ hasMore: true, loadingMore: false, onLoadMore }}
      />,
    );
    expect(onLoadMore).toHaveBeenCalled();
  }, 30_000);

  it("on a phone, renders only the rows in view of a page, with absolute row indexes", () => {
    const viewport = (window as unknown as { happyDOM: { setViewport(v: { width: number }): void } })
      .happyDOM;
    viewport.setViewport({ width: 400 });
    try {
      renderTable(makeOrders(100, 1));
      const rendered = dataRows();
      expect(rendered.length).toBeGreaterThan(10);
      expect(rendered.length).toBeLessThan(60);
      expect(rendered[0]!.getAttribute("aria-rowindex")).toBe("202");
      expect(screen.getByRole("table").getAttribute("aria-rowcount")).toBe("1001");
    } finally {
      viewport.setViewport({ width: 1024 });
    }
  });
});
