/**
 * Read-your-writes over a lagging replica: whoever has just changed an order reads from the primary for a
 * while, so the status they set, and its history, are there when their next request asks. Everyone else
 * reads from the replica. Process-local: a caller served by another process reads what its replica has.
 */
export interface RecentWriters {
  wrote(actor: string): void;
  isRecent(actor: string): boolean;
}

export function createRecentWriters(windowMs: number, now: () => number = Date.now): RecentWriters {
  const until = new Map<string, number>();
  return {
    wrote(actor) {
      // Bounded: expired entries go on every write, so the map holds only the last window's writers.
      const t = now();
      for (const [a, end] of until) if (end <= t) until.delete(a);
      until.set(actor, t + windowMs);
    },
    isRecent(actor) {
      const end = until.get(actor);
      return end !== undefined && end > now();
    },
  };
}
