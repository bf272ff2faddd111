import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import {
  createMemoryHistory,
  createRootRoute,
  createRoute,
  createRouter,
  RouterProvider,
} from "@tanstack/react-router";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { validateOrdersSearch } from "../search/search.ts";
import { Filters } from "./Filters.tsx";

afterEach(cleanup);

/** The real router and search validation; the filters reach the URL through useOrdersSearch, as in the app. */
async function renderAt(url: string) {
  const rootRoute = createRootRoute();
  const ordersRoute = createRoute({
    getParentRoute: () => rootRoute,
    path: "/",
    validateSearch: validateOrdersSearch,
    component: Filters,
  });
  const history = createMemoryHistory({ initialEntries: [url] });
  const router = createRouter({ routeTree: rootRoute.addChildren([ordersRoute]), history });
  // No request leaves: nothing here reads the server (the filters only read the cache's errors).
  const queryClient = new QueryClient({ defaultOptions: { queries: { enabled: false } } });
  await act(async () => {
    render(
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>,
    );
    await router.load();
  });
  await screen.findByRole("combobox", { name: "Status" });
  return router;
}

function params(router: { state: { location: { searchStr: string } } }) {
  return Object.fromEntries(new URLSearchParams(router.state.location.searchStr));
}

function defined(search: object) {
  return Object.fromEntries(Object.entries(search).filter(([, value]) => value !== undefined));
}

describe("Filters and the URL", () => {
  it("restores every control from a shared link", async () => {
    await renderAt(
      "/?status=O&priority=1-URGENT&dateFrom=1995-01-01&dateTo=1995-12-31&sort=-totalPrice&mode=scroll",
    );
    expect((screen.getByRole("combobox", { name: "Status" }) as HTMLSelectElement).value).toBe("O");
    expect((screen.getByRole("combobox", { name: "Priority" }) as HTMLSelectElement).value).toBe("1-URGENT");
    expect((screen.getByLabelText("From") as HTMLInputElement).value).toBe("1995-01-01");
    expect((screen.getByLabelText("To") as HTMLInputElement).value).toBe("1995-12-31");
    expect((screen.getByRole("radio", { name: "Infinite scroll" }) as HTMLInputElement).checked).toBe(true);
    // The cursor stream walks in key order, so sorting is disabled in scroll mode.
    expect((screen.getByRole("combobox", { name: "Sort" }) as HTMLSelectElement).disabled).toBe(true);
  });

  it("writes filter changes to the URL and resets the page", async () => {
    const router = await renderAt("/?page=7");
    await act(async () => {
      fireEvent.change(screen.getByRole("combobox", { name: "Status" }), { target: { value: "F" } });
    });
    expect(params(router)).toEqual({ status: "F" });
    await act(async () => {
      fireEvent.change(screen.getByRole("combobox", { name: "Sort" }), { target: { value: "-orderDate" } });
    });
    expect(params(router)).toEqual({ status: "F", sort: "-orderDate" });
    await act(async () => {
      fireEvent.change(screen.getByLabelText("From"), { target: { value: "1994-03-01" } });
    });
    expect(params(router)).toMatchObject({ dateFrom: "1994-03-01" });
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    });
    expect(params(router)).toEqual({ sort: "-orderDate" });
  });

  it("drops invalid params instead of sending them to the API", async () => {
    const router = await renderAt(
      "/?status=Z&page=-3&pageSize=5000&dateFrom=1995-02-30&sort=clerk&order=abc",
    );
    expect((screen.getByRole("combobox", { name: "Status" }) as HTMLSelectElement).value).toBe("");
    const search = router.state.matches.find((m) => m.routeId === "/")?.search ?? {};
    expect(Object.entries(search).filter(([, value]) => value !== undefined)).toEqual([]);
    expect(defined(validateOrdersSearch({ page: "3", pageSize: "250", order: "42" }))).toEqual({
      page: 3,
      pageSize: 250,
      order: 42,
    });
  });

  it("keeps an inverted range and explains it beside the dates, with a fix", async () => {
    const router = await renderAt("/?dateFrom=1996-01-01&dateTo=1995-01-01");
    const message = await screen.findByRole("alert");
    expect(message.textContent).toContain(
      "“To” (Jan 1, 1995) is before “From” (Jan 1, 1996), so no order can match.",
    );
    expect(screen.getByLabelText("To").getAttribute("aria-describedby")).toBe(message.id);
    expect(screen.getByLabelText("From").getAttribute("aria-invalid")).toBeNull();
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Swap the dates" }));
    });
    expect(params(router)).toEqual({ dateFrom: "1995-01-01", dateTo: "1996-01-01" });
    expect(screen.queryByRole("alert")).toBeNull();
    expect(document.activeElement).toBe(screen.getByLabelText("From"));
  });

  it("applies a date only once it is complete, and says why one is not applied", async () => {
    const router = await renderAt("/?status=O");
    const from = screen.getByLabelText("From") as HTMLInputElement;
    // What a browser's date field reports while a year is typed digit by digit.
    for (const value of ["0001-03-15", "0019-03-15", "0199-03-15"]) {
      await act(async () => {
        fireEvent.change(from, { target: { value } });
      });
      expect(params(router)).toEqual({ status: "O" });
    }
    await act(async () => {
      fireEvent.blur(from);
    });
    expect(from.getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById(from.getAttribute("aria-describedby") ?? "")?.textContent).toMatch(
      /^Not applied: type the month, the day and a four-digit year/,
    );
    await act(async () => {
      fireEvent.change(from, { target: { value: "1994-03-15" } });
    });
    expect(params(router)).toEqual({ status: "O", dateFrom: "1994-03-15" });
    await act(async () => {
      fireEvent.change(from, { target: { value: "1850-01-01" } });
      fireEvent.blur(from);
    });
    expect(params(router)).toEqual({ status: "O", dateFrom: "1994-03-15" });
    expect(screen.getByText("Not applied: choose a date from Jan 1, 1900 to Dec 31, 2199.")).toBeTruthy();
    // Cleared (not half-typed): the filter goes.
    await act(async () => {
      fireEvent.change(from, { target: { value: "" } });
    });
    expect(params(router)).toEqual({ status: "O" });
  });

  it("jumps to an order by key through the URL", async () => {
    const router = await renderAt("/?status=P");
    expect(screen.getByRole("spinbutton", { name: "Order key" }).getAttribute("placeholder")).toBe("e.g. 1");
    fireEvent.change(screen.getByRole("spinbutton", { name: "Order key" }), { target: { value: "4986467" } });
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Open" }));
    });
    expect(params(router)).toEqual({ status: "P", order: "4986467" });
  });
});
