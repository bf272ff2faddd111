import { describe, expect, it } from "vitest";
import { type OrdersSearch, transitions, viewOf } from "./search.ts";

const deep: OrdersSearch = {
  mode: "scroll",
  page: 7,
  pageSize: 50,
  status: "O",
  priority: "2-HIGH",
  dateFrom: "1995-01-01",
  sort: "-totalPrice",
  order: 42,
};

describe("orders URL transitions", () => {
  it("goes back to page 1 whenever the matching rows change, and keeps everything else", () => {
    expect(transitions.setFilter(deep, "status", "F")).toEqual({ ...deep, status: "F", page: undefined });
    expect(transitions.setFilter(deep, "priority", undefined)).not.toHaveProperty("priority");
    expect(transitions.setFilter(deep, "priority", undefined)).not.toHaveProperty("page");
    expect(transitions.setSort(deep, "orderDate")).toMatchObject({ sort: "orderDate", order: 42 });
    expect(transitions.setSort(deep, "orderDate")).not.toHaveProperty("page");
    expect(transitions.setPageSize(deep, 250)).toMatchObject({ pageSize: 250, status: "O" });
    expect(transitions.switchMode(deep, "pages")).not.toHaveProperty("mode");
    expect(transitions.switchMode(deep, "pages")).not.toHaveProperty("page");
  });

  it("leaves defaults out of the URL", () => {
    expect(transitions.setSort(deep, "orderKey")).not.toHaveProperty("sort");
    expect(transitions.setPageSize(deep, 100)).not.toHaveProperty("pageSize");
    expect(transitions.goToPage(deep, 1)).not.toHaveProperty("page");
    expect(transitions.goToPage(deep, 3).page).toBe(3);
  });

  it("clears filters, opens and closes an order, resets the view to mode and sort", () => {
    expect(transitions.clearFilters(deep)).toEqual({
      mode: "scroll",
      pageSize: 50,
      sort: "-totalPrice",
      order: 42,
    });
    expect(transitions.openOrder({}, 9)).toEqual({ order: 9 });
    expect(transitions.closeOrder(deep)).not.toHaveProperty("order");
    expect(transitions.resetView(deep)).toEqual({ mode: "scroll", sort: "-totalPrice" });
  });

  it("fills the view's defaults; scroll mode is always in key order", () => {
    expect(viewOf({})).toEqual({
      mode: "pages",
      page: 1,
      pageSize: 100,
      sort: "orderKey",
      filters: {},
      hasFilters: false,
      order: undefined,
    });
    expect(viewOf(deep)).toMatchObject({ mode: "scroll", sort: "orderKey", hasFilters: true, page: 7 });
  });
});
