import { type FormEvent, useState } from "react";
import {
  ORDER_PRIORITIES,
  ORDER_SORTS,
  ORDER_STATUSES,
  type OrderPriority,
  type OrderSort,
  type OrderStatus,
} from "../api-types.ts";
import { statusLabel } from "../format.ts";
import { isIsoDate, type OrdersSearch } from "../search.ts";

const SORT_LABELS: Record<OrderSort, string> = {
  orderKey: "Order key ↑",
  "-orderKey": "Order key ↓",
  orderDate: "Date ↑ (oldest first)",
  "-orderDate": "Date ↓ (newest first)",
  totalPrice: "Total ↑",
  "-totalPrice": "Total ↓",
};

export interface FiltersProps {
  search: OrdersSearch;
  /** Receives the next URL state; filters and sort reset the page, as earlier pages would no longer apply. */
  onChange: (next: OrdersSearch) => void;
  onJump: (orderKey: number) => void;
}

function without<K extends keyof OrdersSearch>(search: OrdersSearch, key: K, value: OrdersSearch[K]) {
  const next: OrdersSearch = { ...search };
  delete next.page;
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

export function Filters({ search, onChange, onJump }: FiltersProps) {
  const [jumpKey, setJumpKey] = useState("");
  const scroll = search.mode === "scroll";
  const hasFilters = Boolean(search.status || search.priority || search.dateFrom || search.dateTo);

  function submitJump(event: FormEvent) {
    event.preventDefault();
    const key = Number(jumpKey);
    if (Number.isSafeInteger(key) && key >= 1) onJump(key);
  }

  return (
    <section className="filters" aria-label="Filters and view">
      <fieldset className="mode-toggle">
        <legend>View</legend>
        <label>
          <input
            type="radio"
            name="mode"
            checked={!scroll}
            onChange={() => onChange(without(search, "mode", undefined))}
          />
          Pages
        </label>
        <label>
          <input
            type="radio"
            name="mode"
            checked={scroll}
            onChange={() => onChange(without(search, "mode", "scroll"))}
          />
          Infinite scroll
        </label>
      </fieldset>
      <label>
        Status
        <select
          value={search.status ?? ""}
          onChange={(event) =>
            onChange(without(search, "status", (event.target.value || undefined) as OrderStatus))
          }
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
          onChange={(event) =>
            onChange(without(search, "priority", (event.target.value || undefined) as OrderPriority))
          }
        >
          <option value="">Any</option>
          {ORDER_PRIORITIES.map((priority) => (
            <option key={priority} value={priority}>
              {priority}
            </option>
          ))}
        </select>
      </label>
      <label>
        From
        <input
          type="date"
          value={search.dateFrom ?? ""}
          max={search.dateTo}
          onChange={(event) => {
            const value = event.target.value;
            if (value === "" || isIsoDate(value)) onChange(without(search, "dateFrom", value || undefined));
          }}
        />
      </label>
      <label>
        To
        <input
          type="date"
          value={search.dateTo ?? ""}
          min={search.dateFrom}
          onChange={(event) => {
            const value = event.target.value;
            if (value === "" || isIsoDate(value)) onChange(without(search, "dateTo", value || undefined));
          }}
        />
      </label>
      <label>
        Sort
        <select
          value={scroll ? "orderKey" : (search.sort ?? "orderKey")}
          disabled={scroll}
          title={scroll ? "Infinite scroll walks the orders in key order" : undefined}
          onChange={(event) => {
            const value = event.target.value as OrderSort;
            onChange(without(search, "sort", value === "orderKey" ? undefined : value));
          }}
        >
          {ORDER_SORTS.map((sort) => (
            <option key={sort} value={sort}>
              {SORT_LABELS[sort]}
            </option>
          ))}
        </select>
      </label>
      {hasFilters ? (
        <button
          type="button"
          className="link-button"
          onClick={() => {
            const next: OrdersSearch = { ...search };
            delete next.status;
            delete next.priority;
            delete next.dateFrom;
            delete next.dateTo;
            delete next.page;
            onChange(next);
          }}
        >
          Clear filters
        </button>
      ) : null}
      <form className="jump" onSubmit={submitJump} aria-label="Jump to order">
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
    </section>
  );
}
