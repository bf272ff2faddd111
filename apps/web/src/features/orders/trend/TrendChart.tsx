import { type KeyboardEvent, useLayoutEffect, useRef, useState } from "react";
import type { OrderTrend } from "../../../api-types.ts";
import { priorityLabel, statusLabel } from "../../../labels.ts";
import { useFormat } from "../../../locale.ts";
import { useElementWidth } from "../../../ui/use-element-width.ts";
import { useMediaQuery } from "../../../ui/use-media-query.ts";

export type TrendMetric = "orders" | "revenue";

/**
 * Drawn in CSS pixels (the SVG is never scaled), so its text keeps the stylesheet's size (12 px) at any
 * width. Each month gets the frame's width shared out, but never less than a finger's width on a touch
 * screen (a mouse's on a desktop): a longer range then scrolls sideways, starting at the selected month.
 */
const HEIGHT = 200;
const AXIS_WIDTH = 56;
const TOP = 10;
const BOTTOM = 22;
const MIN_STEP_TOUCH = 24;
const MIN_STEP_POINTER = 8;
const COARSE_POINTER = "(pointer: coarse), (max-width: 640px)";

export interface TrendChartProps {
  trend: OrderTrend;
  metric: TrendMetric;
  /** The month the table shows ("YYYY-MM"), highlighted. */
  selected: string | undefined;
  onPick: (month: string) => void;
}

/**
 * Stacked bars per month, one colour per series: inline SVG, no chart library. Each month is a button
 * (click, or arrows then Enter) that filters the table to that month; the selected one stands out (the
 * others fade) and is named above its bar.
 */
export function TrendChart({ trend, metric, selected, onPick }: TrendChartProps) {
  const format = useFormat();
  const { months, series, splitBy } = trend;
  const scrollRef = useRef<HTMLDivElement>(null);
  const available = useElementWidth(scrollRef);
  const touch = useMediaQuery(COARSE_POINTER);
  const minStep = touch ? MIN_STEP_TOUCH : MIN_STEP_POINTER;
  const step = Math.max(minStep, available > 0 && months.length > 0 ? available / months.length : minStep);
  const width = Math.max(available, Math.ceil(step * months.length));
  const measure = (c: { orders: number; revenue: string }) =>
    metric === "orders" ? c.orders : Number(c.revenue);
  const max = Math.max(1, ...months.map((m) => measure(m)));
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const barWidth = Math.max(1, step - (step > 6 ? 2 : 1));
  const y = (v: number) => TOP + plotHeight - (v / max) * plotHeight;
  const selectedIndex = selected ? months.findIndex((m) => m.month === selected) : -1;
  const initial = selectedIndex >= 0 ? selectedIndex : months.length - 1;
  const [active, setActive] = useState(Math.max(0, initial));
  const label = (key: string) => (splitBy === "status" ? statusLabel(key) : priorityLabel(key));
  const amount = (v: number) => (metric === "orders" ? format.integer(v) : format.moneyCompact(v));

  // A range wider than the frame opens on the selected month (else the latest), as a phone user expects.
  const scrolled = useRef(false);
  useLayoutEffect(() => {
    const frame = scrollRef.current;
    if (!frame || available === 0 || scrolled.current) return;
    scrolled.current = true;
    frame.scrollLeft = Math.max(0, (initial + 0.5) * step - frame.clientWidth / 2);
  }, [available, initial, step]);

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

  const pick = selectedIndex >= 0 ? months[selectedIndex] : undefined;
  return (
    <figure className="trend-chart" data-selected={selected ? true : undefined}>
      <div className="trend-plot">
        <svg className="trend-y-axis" width={AXIS_WIDTH} height={HEIGHT} aria-hidden="true">
          <text x={AXIS_WIDTH - 6} y={y(max) + 12} className="chart-label" textAnchor="end">
            {amount(max)}
          </text>
          <text x={AXIS_WIDTH - 6} y={y(0)} className="chart-label" textAnchor="end">
            0
          </text>
        </svg>
        <div className="trend-scroll" ref={scrollRef}>
          {/* biome-ignore lint/a11y/useSemanticElements: the months are SVG shapes; a fieldset cannot hold them */}
          <svg
            width={width}
            height={HEIGHT}
            viewBox={`0 0 ${width} ${HEIGHT}`}
            role="group"
            aria-label={`${metric === "orders" ? "Orders" : "Revenue"} per month by ${splitBy}, ${months[0]?.month ?? ""} to ${months.at(-1)?.month ?? ""}. Choose a month to show its orders.`}
          >
            <line x1={0} x2={width} y1={y(0)} y2={y(0)} className="trend-axis" />
            {months.map((m, i) => {
              const x = i * step;
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
                  <rect x={x} y={0} width={step} height={HEIGHT - BOTTOM} className="trend-hit" />
                  {m.cells.map((cell, s) => {
                    const v = measure(cell);
                    const top = y(base + v);
                    const height = y(base) - top;
                    base += v;
                    return v > 0 ? (
                      <rect
                        key={cell.key}
                        x={x + (step - barWidth) / 2}
                        y={top}
                        width={barWidth}
                        height={height}
                        className={`series-${s}`}
                      />
                    ) : null;
                  })}
                  {m.month.endsWith("-01") || i === 0 ? (
                    <text x={x + 2} y={HEIGHT - 6} className="chart-label">
                      {m.month.slice(0, 4)}
                    </text>
                  ) : null}
                </g>
              );
            })}
          </svg>
        </div>
      </div>
      <figcaption className="trend-legend">
        {series.map((key, s) => (
          <span key={key} title={key}>
            <span className={`swatch series-${s}`} aria-hidden="true" />
            {label(key)}
          </span>
        ))}
        {pick ? (
          <span className="trend-picked">
            Showing {format.month(pick.month)}: {format.integer(pick.orders)} orders
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
}
