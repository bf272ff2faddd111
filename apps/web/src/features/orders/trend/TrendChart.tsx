import { type KeyboardEvent, useState } from "react";
import type { OrderTrend } from "../../../api-types.ts";
import { statusLabel } from "../../../format.ts";
import { useFormat } from "../../../locale.ts";

export type TrendMetric = "orders" | "revenue";

const WIDTH = 960;
const HEIGHT = 220;
const LEFT = 64;
const BOTTOM = 20;
const TOP = 8;

export interface TrendChartProps {
  trend: OrderTrend;
  metric: TrendMetric;
  /** The month the table shows ("YYYY-MM"), highlighted. */
  selected: string | undefined;
  onPick: (month: string) => void;
}

/**
 * Stacked bars per month, one colour per series: inline SVG, no chart library. Each month is a button
 * (click, or arrows then Enter) that filters the table to that month.
 */
export function TrendChart({ trend, metric, selected, onPick }: TrendChartProps) {
  const format = useFormat();
  const { months, series, splitBy } = trend;
  const measure = (c: { orders: number; revenue: string }) =>
    metric === "orders" ? c.orders : Number(c.revenue);
  const max = Math.max(1, ...months.map((m) => measure(m)));
  const plotWidth = WIDTH - LEFT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const step = months.length > 0 ? plotWidth / months.length : plotWidth;
  const barWidth = Math.max(1, step - (step > 4 ? 1 : 0));
  const y = (v: number) => TOP + plotHeight - (v / max) * plotHeight;
  const initial = Math.max(0, selected ? months.findIndex((m) => m.month === selected) : months.length - 1);
  const [active, setActive] = useState(initial);
  const label = (key: string) => (splitBy === "status" ? statusLabel(key) : key);
  const amount = (v: number) => (metric === "orders" ? format.integer(v) : format.moneyCompact(v));

  function onKeyDown(event: KeyboardEvent<SVGGElement>, index: number) {
    const moves: Record<string, number> = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      Home: 0,
      End: months.length - 1,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      const next = Math.max(0, Math.min(months.length - 1, target));
      setActive(next);
      const svg = event.currentTarget.ownerSVGElement;
      svg?.querySelector<SVGGElement>(`g[data-month="${months[next]?.month}"]`)?.focus();
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      const month = months[index]?.month;
      if (month) onPick(month);
    }
  }

  return (
    <figure className="trend-chart">
      {/* biome-ignore lint/a11y/useSemanticElements: the months are SVG shapes; a fieldset cannot hold them */}
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="group"
        aria-label={`${metric === "orders" ? "Orders" : "Revenue"} per month by ${splitBy}, ${months[0]?.month ?? ""} to ${months.at(-1)?.month ?? ""}. Choose a month to show its orders.`}
      >
        <line x1={LEFT} x2={WIDTH} y1={y(0)} y2={y(0)} className="trend-axis" />
        <text x={LEFT - 6} y={y(max) + 10} className="chart-label" textAnchor="end">
          {amount(max)}
        </text>
        <text x={LEFT - 6} y={y(0)} className="chart-label" textAnchor="end">
          0
        </text>
        {months.map((m, i) => {
          const x = LEFT + i * step;
          let base = 0;
          const isSelected = m.month === selected;
          return (
            // biome-ignore lint/a11y/useSemanticElements: an SVG bar cannot be a <button>; it acts as one
            <g
              key={m.month}
              data-month={m.month}
              role="button"
              tabIndex={i === active ? 0 : -1}
              aria-pressed={isSelected}
              aria-label={`${format.month(m.month)}: ${format.integer(m.orders)} orders, ${format.money(m.revenue)}`}
              className={`trend-month${isSelected ? " selected" : ""}`}
              onClick={() => {
                setActive(i);
                onPick(m.month);
              }}
              onFocus={() => setActive(i)}
              onKeyDown={(event) => onKeyDown(event, i)}
            >
              <rect x={x} y={TOP} width={step} height={plotHeight} className="trend-hit" />
              {m.cells.map((cell, s) => {
                const v = measure(cell);
                const top = y(base + v);
                const height = y(base) - top;
                base += v;
                return v > 0 ? (
                  <rect
                    key={cell.key}
                    x={x}
                    y={top}
                    width={barWidth}
                    height={height}
                    className={`series-${s}`}
                  />
                ) : null;
              })}
              {m.month.endsWith("-01") || i === 0 ? (
                <text x={x} y={HEIGHT - 6} className="chart-label">
                  {m.month.slice(0, 4)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption className="trend-legend">
        {series.map((key, s) => (
          <span key={key}>
            <span className={`swatch series-${s}`} aria-hidden="true" />
            {label(key)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
