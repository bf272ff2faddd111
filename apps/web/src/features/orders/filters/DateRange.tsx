import { useId, useRef } from "react";
import { fieldName } from "../../../errors.ts";
import { useFormat } from "../../../locale.ts";
import { isInvertedRange } from "../search/search.ts";
import { useOrdersSearch } from "../search/use-orders-search.ts";
import { DateField } from "./DateField.tsx";

/**
 * The order-date range: two date fields, and beside them what is wrong with the range (To before From, with
 * a one-click fix) or with a date the server refused.
 */
export function DateRange({ refused }: { refused: Readonly<Record<string, string>> }) {
  const { search, setFilter, swapDates } = useOrdersSearch();
  const format = useFormat();
  const rangeId = useId();
  const { dateFrom, dateTo } = search;
  const inverted = isInvertedRange(search);
  const ref = useRef<HTMLFieldSetElement>(null);
  return (
    <fieldset className="date-range" ref={ref}>
      <legend className="visually-hidden">Order date</legend>
      <DateField
        label="From"
        value={dateFrom}
        onCommit={(value) => setFilter("dateFrom", value)}
        problem={refused.dateFrom}
        describedBy={inverted ? rangeId : undefined}
      />
      <DateField
        label="To"
        value={dateTo}
        onCommit={(value) => setFilter("dateTo", value)}
        problem={refused.dateTo}
        describedBy={inverted ? rangeId : undefined}
      />
      {inverted && dateFrom && dateTo ? (
        <p id={rangeId} className="field-error range-error" role="alert">
          {fieldName("dateTo")} ({format.date(dateTo)}) is before {fieldName("dateFrom")} (
          {format.date(dateFrom)}), so no order can match.{" "}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              swapDates();
              // The button goes with the message: the focus moves to the first date, not to the page.
              ref.current?.querySelector("input")?.focus();
            }}
          >
            Swap the dates
          </button>
        </p>
      ) : null}
    </fieldset>
  );
}
