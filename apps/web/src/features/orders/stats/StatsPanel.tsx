import { ORDER_STATUSES, type OrderFilters } from "../../../api-types.ts";
import { statusLabel } from "../../../format.ts";
import { useFormat } from "../../../locale.ts";
import { useOrderStats } from "../queries.ts";
import { Freshness } from "./Freshness.tsx";
import { PriorityChart } from "./PriorityChart.tsx";

/**
 * Totals for the current filters: orders, per status, per priority, and how fresh the data is. Every part
 * has its final size before the figures arrive (placeholders of the same box), so nothing below moves.
 */
export function StatsPanel({ filters }: { filters: OrderFilters }) {
  const { data: stats, isFetching } = useOrderStats(filters);
  const format = useFormat();
  return (
    <section className="stats" aria-label="Order statistics" aria-busy={isFetching || undefined}>
      <div className="stat-total">
        <span className="stat-label">Orders</span>
        <span className="stat-value">
          {stats ? format.integer(stats.totalOrders) : <span className="skeleton" />}
        </span>
      </div>
      <dl className="stat-status">
        {(stats?.byStatus ?? ORDER_STATUSES.map((status) => ({ status, count: null }))).map((s) => (
          <div key={s.status} className={`stat-chip badge-status-${s.status.toLowerCase()}`}>
            <dt>{statusLabel(s.status)}</dt>
            <dd>{s.count === null ? <span className="skeleton" /> : format.integer(s.count)}</dd>
          </div>
        ))}
      </dl>
      <div className="stat-chart">
        {stats ? (
          <PriorityChart byPriority={stats.byPriority} />
        ) : (
          <span className="skeleton skeleton-chart" />
        )}
      </div>
      <div className="freshness">
        <Freshness />
        <span className="muted freshness-line">
          {stats
            ? `Figures as of ${format.dateTime(stats.computedAt)} (cached ${stats.ttlSeconds}s)`
            : "\u00a0"}
        </span>
      </div>
    </section>
  );
}
