/** A plain-text table: first column left-aligned, the rest right-aligned. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows
    .map((r) =>
      r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "),
    )
    .join("\n");
}

/** "median (min-max)" of a rate, or just the median for a single run. */
export function spread(f: { rps: number; rpsMin: number; rpsMax: number }): string {
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  return f.rpsMin === f.rpsMax ? fmt(f.rps) : `${fmt(f.rps)} (${fmt(f.rpsMin)}-${fmt(f.rpsMax)})`;
}
