/** Orders per (status, priority): what a grouped scan or the rollup yields. */
export interface StatsGroup {
  status: string;
  priority: string;
  n: number;
}

/** The stats of a set of orders from its groups: the total, and the counts per status and per priority. */
export function statsFromGroups(groups: Iterable<StatsGroup>) {
  const byStatus = new Map<string, number>();
  const byPriority = new Map<string, number>();
  let total = 0;
  for (const g of groups) {
    const n = Number(g.n);
    total += n;
    byStatus.set(g.status, (byStatus.get(g.status) ?? 0) + n);
    byPriority.set(g.priority, (byPriority.get(g.priority) ?? 0) + n);
  }
  const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    totalOrders: total,
    byStatus: sorted(byStatus).map(([status, count]) => ({ status, count })),
    byPriority: sorted(byPriority).map(([priority, count]) => ({ priority, count })),
  };
}
