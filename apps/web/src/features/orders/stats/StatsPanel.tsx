import type { ReactNode } from "react";
import { ORDER_STATUSES, type OrderFilters } from "../../../api-types.ts";
import { describeError } from "../../../errors.ts";
import { statusLabel } from "../../../labels.ts";
import { useFormat } from "../../../locale.ts";
import { useDataOutage } from "../../lakebase/use-lakebase-status.ts";
import { useOrderStats } from "../queries.ts";
import { isInvertedRange } from "../search/search.ts";
import { Freshness } from "./Freshness.tsx";
import { PriorityChart } from "./PriorityChart.tsx";

/**
 * Totals for the current filters: orders, per status, per priority, and how fresh the data is. Every part
 * has its final size before the figures arrive (placeholders of the same box), so nothing below moves. When
 * no figures will come (an outage, an inverted range, an error) the placeholders settle into dashes and a
 * line says why; figures kept from before an outage are marked old.
 */
export function StatsPanel({ filters }: { filters: OrderFilters }) {
  const query = useOrderStats(filters);
  const outage = useDataOutage();
  const format = useFormat();
  const stats = query.data;
  const blocked = Boolean(outage?.blocksReading);
  // Not loading and nothing to show: no request is going out (an outage, an inverted range), or it failed.
  const none = !stats && (query.isError || query.fetchStatus === "idle");
  const old = Boolean(stats) && (blocked || query.isError);
  const figure = (value: number | null | undefined): ReactNode =>
    value !== null && value !== undefined ? (
      format.integer(value)
    ) : none ? (
      "—"
    ) : (
      <span className="skeleton" />
    );

  let line: string = "\u00a0";
  let lineTitle: string | undefined;
  if (stats && old) {
    line = `Old figures, from ${format.dateTime(stats.computedAt)}`;
    lineTitle = `Not current: ${outage?.what ?? "they could not be refreshed"}.`;
  } else if (stats) {
    line = `Figures as of ${format.dateTime(stats.computedAt)}`;
    lineTitle = `Recomputed at most every ${stats.ttlSeconds} seconds.`;
  } else if (none) {
    line = blocked
      ? `No figures: ${outage?.what}`
      : isInvertedRange(filters)
        ? "No figures for a range that ends before it starts"
        : `No figures: ${describeError(query.error).title.toLowerCase()}`;
  }

  return (
    <section
      className="stats"
      aria-label="Order statistics"
      aria-busy={(query.isFetching && !none) || undefined}
      data-old={old || undefined}
    >
      <div className="stat-total">
        <span className="stat-label">
          Orders{" "}
          {old ? (
            <span className="badge badge-idle" title={lineTitle}>
              old
            </span>
          ) : null}
        </span>
        <span className="stat-value">{figure(stats?.totalOrders)}</span>
      </div>
      <dl className="stat-status">
        {(stats?.byStatus ?? ORDER_STATUSES.map((status) => ({ status, count: null }))).map((s) => (
          <div key={s.status} className={`stat-chip badge-status-${s.status.toLowerCase()}`}>
            <dt title={`Status code ${s.status}`}>{statusLabel(s.status)}</dt>
            <dd>{figure(s.count)}</dd>
          </div>
        ))}
      </dl>
      <div className="stat-chart">
        {stats ? (
          <PriorityChart byPriority={stats.byPriority} />
        ) : none ? (
          <span className="stat-none">—</span>
        ) : (
          <span className="skeleton skeleton-chart" />
        )}
      </div>
      <div className="freshness">
        <Freshness />
        <span className="muted freshness-line" title={lineTitle}>
          {line}
        </span>
      </div>
    </section>
  );
}
