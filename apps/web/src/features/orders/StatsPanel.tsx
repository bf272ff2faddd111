import type { OrderStats } from "../api-types.ts";
import { formatDateTime, formatInteger, statusLabel } from "../format.ts";
import { StateBadge } from "./StatusBadge.tsx";

export interface Freshness {
  state: string | null;
  lastSyncAt: string | null;
}

export interface StatsHeaderProps {
  stats: OrderStats | undefined;
  loading?: boolean;
  freshness?: Freshness | null;
}

const CHART_WIDTH = 220;
const BAR_HEIGHT = 12;
const BAR_GAP = 4;
const LABEL_WIDTH = 96;

/** Orders per priority as horizontal bars: inline SVG, no chart library in the bundle. */
export function PriorityChart({ byPriority }: { byPriority: OrderStats["byPriority"] }) {
  const max = Math.max(1, ...byPriority.map((p) => p.count));
  const height = byPriority.length * (BAR_HEIGHT + BAR_GAP);
  const summary = byPriority.map((p) => `${p.priority}: ${formatInteger(p.count)}`).join(", ");
  return (
    <svg
      className="chart"
      width={CHART_WIDTH + LABEL_WIDTH}
      height={height}
      viewBox={`0 0 ${CHART_WIDTH + LABEL_WIDTH} ${height}`}
      role="img"
      aria-label={`Orders per priority. ${summary}`}
    >
      {byPriority.map((p, i) => {
        const y = i * (BAR_HEIGHT + BAR_GAP);
        const width = Math.max(1, (p.count / max) * (CHART_WIDTH - 56));
        return (
          <g key={p.priority}>
            <text x={0} y={y + BAR_HEIGHT - 2} className="chart-label">
              {p.priority}
            </text>
            <rect x={LABEL_WIDTH} y={y} width={width} height={BAR_HEIGHT} rx={2} className="chart-bar" />
            <text x={LABEL_WIDTH + width + 4} y={y + BAR_HEIGHT - 2} className="chart-value">
              {formatInteger(p.count)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function StatsHeader({ stats, loading, freshness }: StatsHeaderProps) {
  return (
    <section className="stats" aria-label="Order statistics" aria-busy={loading || undefined}>
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
        <span className="stat-label">Data freshness</span>
        {freshness ? (
          <>
            <StateBadge state={freshness.state} />
            <span>Last sync {formatDateTime(freshness.lastSyncAt)}</span>
          </>
        ) : (
          <span>Unknown</span>
        )}
        {stats ? (
          <span className="muted">
            Figures as of {formatDateTime(stats.computedAt)} (cached {stats.ttlSeconds}s)
          </span>
        ) : null}
      </div>
    </section>
  );
}
