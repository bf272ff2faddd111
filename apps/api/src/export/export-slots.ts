/**
 * How many exports run at once. An export holds a pooled connection for its whole download (seconds to
 * minutes for the full table), so the process runs few at a time, and one per caller: a second click waits
 * for the first download instead of doubling the load.
 */
export interface ExportSlots {
  /** A release function, or null when the caller or the process is at its limit. */
  take(caller: string): (() => void) | null;
  readonly running: number;
}

export function createExportSlots(limits: { perProcess: number; perCaller: number }): ExportSlots {
  const byCaller = new Map<string, number>();
  let running = 0;
  return {
    take(caller) {
      const mine = byCaller.get(caller) ?? 0;
      if (running >= limits.perProcess || mine >= limits.perCaller) return null;
      running++;
      byCaller.set(caller, mine + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        running--;
        const left = (byCaller.get(caller) ?? 1) - 1;
        if (left > 0) byCaller.set(caller, left);
        else byCaller.delete(caller);
      };
    },
    get running() {
      return running;
    },
  };
}
