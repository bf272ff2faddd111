type Counted = "config" | "logger" | "telemetry";

/** One more construction of `what` in this process (see hook.ts). */
export function count(what: Counted): void {
  const counts = (globalThis as { lakebaseOrdersConstructions?: Record<Counted, number> })
    .lakebaseOrdersConstructions;
  if (counts) counts[what]++;
}
