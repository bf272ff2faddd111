import type { OrderStats } from "../../../api-types.ts";
import { priorityLabel } from "../../../labels.ts";
import { useFormat } from "../../../locale.ts";

const CHART_WIDTH = 220;
const BAR_HEIGHT = 12;
const BAR_GAP = 4;
const LABEL_WIDTH = 96;

/** Orders per priority as horizontal bars: inline SVG, no chart library in the bundle. */
export function PriorityChart({ byPriority }: { byPriority: OrderStats["byPriority"] }) {
  const { integer } = useFormat();
  const max = Math.max(1, ...byPriority.map((p) => p.count));
  const height = byPriority.length * (BAR_HEIGHT + BAR_GAP);
  const summary = byPriority.map((p) => `${priorityLabel(p.priority)}: ${integer(p.count)}`).join(", ");
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
            <title>{`${priorityLabel(p.priority)} (${p.priority}): ${integer(p.count)}`}</title>
            <text x={0} y={y + BAR_HEIGHT - 2} className="chart-label">
              {priorityLabel(p.priority)}
            </text>
            <rect x={LABEL_WIDTH} y={y} width={width} height={BAR_HEIGHT} rx={2} className="chart-bar" />
            <text x={LABEL_WIDTH + width + 4} y={y + BAR_HEIGHT - 2} className="chart-value">
              {integer(p.count)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
