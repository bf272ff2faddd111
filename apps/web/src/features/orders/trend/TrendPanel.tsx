import { lazy, Suspense, useState } from "react";
import { TREND_SPLITS, type TrendSplit } from "../../../api-types.ts";
import { describeError } from "../../../errors.ts";
import { ErrorMessage } from "../../../ui/ErrorMessage.tsx";
import { useDataOutage } from "../../lakebase/use-lakebase-status.ts";
import { useOrderTrend } from "../queries.ts";
import { useOrdersSearch } from "../search/use-orders-search.ts";
import type { TrendMetric } from "./TrendChart.tsx";

// The chart is its own chunk: only those who open the trend download it.
const TrendChart = lazy(() => import("./TrendChart.tsx").then((m) => ({ default: m.TrendChart })));

const SPLIT_LABELS: Record<TrendSplit, string> = { status: "Status", priority: "Priority" };

/** The toolbar's Trend button, where the focus goes back when the trend is hidden from inside it. */
export const TREND_TOGGLE_ID = "trend-toggle";

/** Orders or revenue per month over the whole date range; a month's bar filters the table to it. */
export function TrendPanel({ split }: { split: TrendSplit }) {
  const { view, showTrend, filterMonth } = useOrdersSearch();
  const [metric, setMetric] = useState<TrendMetric>("orders");
  const trend = useOrderTrend(split, view.filters);
  const outage = useDataOutage();
  const selected =
    view.filters.dateFrom &&
    view.filters.dateTo &&
    view.filters.dateFrom.slice(0, 7) === view.filters.dateTo.slice(0, 7)
      ? view.filters.dateFrom.slice(0, 7)
      : undefined;
  return (
    <section className="trend" aria-labelledby="trend-title">
      <header className="trend-header">
        <h2 id="trend-title">{metric === "orders" ? "Orders" : "Revenue"} per month</h2>
        <fieldset className="segmented">
          <legend className="visually-hidden">Split by</legend>
          {TREND_SPLITS.map((s) => (
            <label key={s}>
              <input type="radio" name="trend-split" checked={s === split} onChange={() => showTrend(s)} />
              {SPLIT_LABELS[s]}
            </label>
          ))}
        </fieldset>
        <fieldset className="segmented">
          <legend className="visually-hidden">Measure</legend>
          <label>
            <input
              type="radio"
              name="trend-metric"
              checked={metric === "orders"}
              onChange={() => setMetric("orders")}
            />
            Orders
          </label>
          <label>
            <input
              type="radio"
              name="trend-metric"
              checked={metric === "revenue"}
              onChange={() => setMetric("revenue")}
            />
            Revenue
          </label>
        </fieldset>
        <button
          type="button"
          className="link-button"
          onClick={() => {
            showTrend(undefined);
            document.getElementById(TREND_TOGGLE_ID)?.focus();
          }}
        >
          Hide trend
        </button>
      </header>
      {trend.error ? (
        <ErrorMessage info={describeError(trend.error)} onRetry={() => void trend.refetch()} />
      ) : null}
      <div className="trend-frame">
        <Suspense fallback={<span className="skeleton trend-skeleton" />}>
          {trend.data ? (
            <TrendChart trend={trend.data} metric={metric} selected={selected} onPick={filterMonth} />
          ) : outage?.blocksReading ? (
            <p className="empty-state" role="status">
              The trend cannot be read now: {outage.what}.
            </p>
          ) : trend.error ? null : (
            <span className="skeleton trend-skeleton" role="status" aria-label="Loading the trend" />
          )}
        </Suspense>
      </div>
    </section>
  );
}
