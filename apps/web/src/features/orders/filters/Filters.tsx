import { useId, useRef, useState } from "react";
import {
  ORDER_PRIORITIES,
  ORDER_SORTS,
  type OrderPriority,
  type OrderSort,
  type OrderStatus,
} from "../../../api-types.ts";
import { describeError } from "../../../errors.ts";
import { priorityLabel, sortLabel } from "../../../labels.ts";
import { useReadError } from "../queries.ts";
import { useOrdersSearch } from "../search/use-orders-search.ts";
import { OrderStatusOptions } from "../table/OrderStatusBadge.tsx";
import { DateRange } from "./DateRange.tsx";
import { JumpToOrder } from "./JumpToOrder.tsx";

/**
 * The view mode, the filters, the sort and the jump to an order key, all kept in the URL, each with the
 * server's refusal of it (if any) beside it. On a phone they fold behind one button (the stylesheet shows it
 * below 640 px), so the table starts on the first screen.
 */
export function Filters() {
  const { search, view, setFilter, clearFilters, setSort, switchMode } = useOrdersSearch();
  const scroll = view.mode === "scroll";
  const [open, setOpen] = useState(false);
  const bodyId = useId();
  const statusRef = useRef<HTMLSelectElement>(null);
  const active = Object.keys(view.filters).length;
  const readError = useReadError(view);
  const refused = readError ? describeError(readError).fields : {};

  return (
    <section className="filters" aria-label="Filters and view" data-open={open}>
      <button
        type="button"
        className="filters-toggle"
        aria-expanded={open}
        aria-controls={bodyId}
        onClick={() => setOpen(!open)}
      >
        Filters{active > 0 ? ` (${active})` : ""}
        <span aria-hidden="true">{open ? " ▴" : " ▾"}</span>
      </button>
      <div className="filters-body" id={bodyId}>
        <fieldset className="mode-toggle">
          <legend>View</legend>
          <label>
            <input type="radio" name="mode" checked={!scroll} onChange={() => switchMode("pages")} />
            Pages
          </label>
          <label>
            <input type="radio" name="mode" checked={scroll} onChange={() => switchMode("scroll")} />
            Infinite scroll
          </label>
        </fieldset>
        <label>
          Status
          <select
            ref={statusRef}
            value={search.status ?? ""}
            aria-invalid={Boolean(refused.status) || undefined}
            title={refused.status}
            onChange={(event) => setFilter("status", (event.target.value || undefined) as OrderStatus)}
          >
            <option value="">Any</option>
            <OrderStatusOptions />
          </select>
        </label>
        <label>
          Priority
          <select
            value={search.priority ?? ""}
            aria-invalid={Boolean(refused.priority) || undefined}
            title={refused.priority}
            onChange={(event) => setFilter("priority", (event.target.value || undefined) as OrderPriority)}
          >
            <option value="">Any</option>
            {ORDER_PRIORITIES.map((priority) => (
              <option key={priority} value={priority} title={`Priority code ${priority}`}>
                {priorityLabel(priority)}
              </option>
            ))}
          </select>
        </label>
        <DateRange refused={refused} />
        <label>
          Sort
          <select
            value={view.sort}
            disabled={scroll}
            title={scroll ? "Infinite scroll walks the orders in key order" : undefined}
            onChange={(event) => setSort(event.target.value as OrderSort)}
          >
            {ORDER_SORTS.map((sort) => (
              <option key={sort} value={sort}>
                {sortLabel(sort)}
              </option>
            ))}
          </select>
        </label>
        {view.hasFilters ? (
          <button
            type="button"
            className="link-button clear-filters"
            onClick={() => {
              clearFilters();
              // The button goes once nothing is filtered: the focus moves to the first filter, not to the page.
              statusRef.current?.focus();
            }}
          >
            Clear filters
          </button>
        ) : null}
        <JumpToOrder />
      </div>
    </section>
  );
}
