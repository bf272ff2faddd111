/** A plain-text table: the first `leftColumns` columns (names) left-aligned, the rest (figures) right-aligned. */
export function formatTable(rows: string[][], leftColumns = 1): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows
    .map((r) =>
      r.map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "),
    )
    .join("\n");
}

/** "median (min-max)" of a rate, or just the median for a single run. */
export function spread(f: { rps: number; rpsMin: number; rpsMax: number }): string {
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  return f.rpsMin === f.rpsMax ? fmt(f.rps) : `${fmt(f.rps)} (${fmt(f.rpsMin)}-${fmt(f.rpsMax)})`;
}
