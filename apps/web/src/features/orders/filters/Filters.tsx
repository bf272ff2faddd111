import { type FormEvent, useId, useState } from "react";
import {
  ORDER_PRIORITIES,
  ORDER_SORTS,
  ORDER_STATUSES,
  type OrderPriority,
  type OrderSort,
  type OrderStatus,
} from "../../../api-types.ts";
import { statusLabel } from "../../../format.ts";
import { isIsoDate } from "../search/search.ts";
import { useOrdersSearch } from "../search/use-orders-search.ts";

const SORT_LABELS: Record<OrderSort, string> = {
  orderKey: "Order key ↑",
  "-orderKey": "Order key ↓",
  orderDate: "Date ↑ (oldest first)",
  "-orderDate": "Date ↓ (newest first)",
  totalPrice: "Total ↑",
  "-totalPrice": "Total ↓",
};

/**
 * The view mode, the filters, the sort and the jump to an order key, all kept in the URL. On a phone they
 * fold behind one button (the stylesheet shows it below 640 px), so the table starts on the first screen.
 */
export function Filters() {
  const { search, view, setFilter, clearFilters, setSort, switchMode } = useOrdersSearch();
  const scroll = view.mode === "scroll";
  const [open, setOpen] = useState(false);
  const bodyId = useId();
  const active = Object.keys(view.filters).length;

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
            value={search.status ?? ""}
            onChange={(event) => setFilter("status", (event.target.value || undefined) as OrderStatus)}
          >
            <option value="">Any</option>
            {ORDER_STATUSES.map((status) => (
              <option key={status} value={status}>
                {statusLabel(status)} ({status})
              </option>
            ))}
          </select>
        </label>
        <label>
          Priority
          <select
            value={search.priority ?? ""}
            onChange={(event) => setFilter("priority", (event.target.value || undefined) as OrderPriority)}
          >
            <option value="">Any</option>
            {ORDER_PRIORITIES.map((priority) => (
              <option key={priority} value={priority}>
                {priority}
              </option>
            ))}
          </select>
        </label>
        <DateInput label="From" filter="dateFrom" value={search.dateFrom} max={search.dateTo} />
        <DateInput label="To" filter="dateTo" value={search.dateTo} min={search.dateFrom} />
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
                {SORT_LABELS[sort]}
              </option>
            ))}
          </select>
        </label>
        {view.hasFilters ? (
          <button type="button" className="link-button" onClick={clearFilters}>
            Clear filters
          </button>
        ) : null}
        <JumpToOrder />
      </div>
    </section>
  );
}

interface DateInputProps {
  label: string;
  filter: "dateFrom" | "dateTo";
  value: string | undefined;
  min?: string | undefined;
  max?: string | undefined;
}

function DateInput({ label, filter, value, min, max }: DateInputProps) {
  const { setFilter } = useOrdersSearch();
  return (
    <label>
      {label}
      <input
        type="date"
        value={value ?? ""}
        min={min}
        max={max}
        onChange={(event) => {
          const next = event.target.value;
          if (next === "" || isIsoDate(next)) setFilter(filter, next || undefined);
        }}
      />
    </label>
  );
}

function JumpToOrder() {
  const { openOrder } = useOrdersSearch();
  const [jumpKey, setJumpKey] = useState("");

  function submit(event: FormEvent) {
    event.preventDefault();
    const key = Number(jumpKey);
    if (Number.isSafeInteger(key) && key >= 1) openOrder(key);
  }

  return (
    <form className="jump" onSubmit={submit} aria-label="Jump to order">
      <label>
        Order key
        <input
          type="number"
          inputMode="numeric"
          min={1}
          step={1}
          value={jumpKey}
          onChange={(event) => setJumpKey(event.target.value)}
          placeholder="e.g. 4986467"
        />
      </label>
      <button type="submit" disabled={!jumpKey}>
        Open
      </button>
    </form>
  );
}
