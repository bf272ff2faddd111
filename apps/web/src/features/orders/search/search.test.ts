import { describe, expect, it } from "vitest";
import {
  fromViewSearch,
  monthBounds,
  type OrdersSearch,
  toViewSearch,
  transitions,
  validateOrdersSearch,
  viewOf,
} from "./search.ts";

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
      columns: [
        "orderKey",
        "custKey",
        "status",
        "totalPrice",
        "orderDate",
        "priority",
        "clerk",
        "shipPriority",
        "comment",
      ],
      density: "comfortable",
      trend: undefined,
    });
    expect(viewOf(deep)).toMatchObject({ mode: "scroll", sort: "orderKey", hasFilters: true, page: 7 });
  });

  it("keeps columns, density and the trend in the URL, defaults left out, and through a reset", () => {
    const chosen = transitions.setColumns(deep, ["totalPrice", "orderKey", "status"]);
    expect(chosen.cols).toBe("totalPrice,orderKey,status");
    expect(chosen.page).toBe(7);
    expect(viewOf(chosen).columns).toEqual(["totalPrice", "orderKey", "status"]);
    expect(transitions.setColumns(chosen, viewOf({}).columns)).not.toHaveProperty("cols");
    expect(transitions.setDensity(deep, "compact").density).toBe("compact");
    expect(transitions.setDensity({ density: "compact" }, "comfortable")).not.toHaveProperty("density");
    const looking = { ...chosen, density: "compact" as const, trend: "priority" as const };
    expect(transitions.resetView(looking)).toEqual({
      mode: "scroll",
      sort: "-totalPrice",
      cols: "totalPrice,orderKey,status",
      density: "compact",
      trend: "priority",
    });
    expect(transitions.showTrend(looking, undefined)).not.toHaveProperty("trend");
  });

  it("filters to a month's first and last day, leap years included, back on page 1", () => {
    expect(monthBounds("1996-02")).toEqual({ dateFrom: "1996-02-01", dateTo: "1996-02-29" });
    expect(monthBounds("1995-02")).toEqual({ dateFrom: "1995-02-01", dateTo: "1995-02-28" });
    expect(monthBounds("1998-12")).toEqual({ dateFrom: "1998-12-01", dateTo: "1998-12-31" });
    const month = transitions.filterMonth(deep, "1995-03");
    expect(month).toMatchObject({ dateFrom: "1995-03-01", dateTo: "1995-03-31", status: "O" });
    expect(month).not.toHaveProperty("page");
  });

  it("validates columns, density, trend and view ids from a typed-in link", () => {
    expect(validateOrdersSearch({ cols: "comment,nope,orderKey,comment" }).cols).toBe("comment,orderKey");
    expect(validateOrdersSearch({ cols: "nope" }).cols).toBeUndefined();
    expect(validateOrdersSearch({ cols: viewOf({}).columns.join(",") }).cols).toBeUndefined();
    expect(validateOrdersSearch({ density: "huge", trend: "clerk", view: "../x" })).toMatchObject({
      density: undefined,
      trend: undefined,
      view: undefined,
    });
    expect(
      validateOrdersSearch({ density: "compact", trend: "status", view: "AbCdEfGhIjKlMnOpQrStUv" }),
    ).toMatchObject({
      density: "compact",
      trend: "status",
      view: "AbCdEfGhIjKlMnOpQrStUv",
    });
  });

  it("turns the URL state into a saved view and back, and a view replaces filters but keeps the open order", () => {
    const search: OrdersSearch = { ...deep, cols: "status,orderKey", density: "compact", trend: "status" };
    const saved = toViewSearch(search);
    expect(saved).toEqual({
      mode: "scroll",
      pageSize: 50,
      status: "O",
      priority: "2-HIGH",
      dateFrom: "1995-01-01",
      sort: "-totalPrice",
      cols: ["status", "orderKey"],
      density: "compact",
    });
    expect(fromViewSearch(saved)).toEqual({ ...saved, cols: "status,orderKey" });
    const applied = transitions.applyView(
      { status: "F", page: 3, order: 9, trend: "priority", view: "x" },
      saved,
    );
    expect(applied).toEqual({ ...saved, cols: "status,orderKey", order: 9, trend: "priority" });
  });
});
