import type { OrderFilters } from "../../api-types.ts";
import { formatDateTime, formatInteger, statusLabel } from "../../format.ts";
import { Freshness } from "./Freshness.tsx";
import { PriorityChart } from "./PriorityChart.tsx";
import { useOrderStats } from "./queries.ts";

/** Totals for the current filters: orders, per status, per priority, and how fresh the data is. */
export function StatsPanel({ filters }: { filters: OrderFilters }) {
  const { data: stats, isFetching } = useOrderStats(filters);
  return (
    <section className="stats" aria-label="Order statistics" aria-busy={isFetching || undefined}>
      <div className="stat-total">
        <span className="stat-label">Orders</span>
        <span className="stat-value">
          {stats ? formatInteger(stats.totalOrders) : <span className="skeleton" />}
        </span>
      </div>
      <dl className="stat-status">
        {stats
          ? stats.byStatus.map((s) => (
              <div key={s.status} className={`stat-chip badge-status-${s.status.toLowerCase()}`}>
                <dt>{statusLabel(s.status)}</dt>
                <dd>{formatInteger(s.count)}</dd>
              </div>
            ))
          : null}
      </dl>
      {stats ? <PriorityChart byPriority={stats.byPriority} /> : <span className="skeleton skeleton-chart" />}
      <div className="freshness">
        <Freshness />
        {stats ? (
          <span className="muted">
            Figures as of {formatDateTime(stats.computedAt)} (cached {stats.ttlSeconds}s)
          </span>
        ) : null}
      </div>
    </section>
  );
}
