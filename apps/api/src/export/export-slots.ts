/**
 * How many exports run at once. An export holds a pooled connection for its whole download (seconds to
 * minutes for the full table), so the process runs few at a time, and one per caller: a caller's new export
 * replaces the one still running (a second click, a dialog closed and opened again), which is cancelled,
 * rather than doubling the load or being refused while the first one's cancellation is on its way.
 */
export interface ExportSlots {
  /**
   * A release function, or null when the process is at its limit with other callers' exports. `cancel` is
   * called if a newer export of the same caller takes the slot over.
   */
  take(caller: string, cancel: () => void): (() => void) | null;
  readonly running: number;
}

export function createExportSlots(limits: { perProcess: number }): ExportSlots {
  const byCaller = new Map<string, { cancel: () => void }>();
  let running = 0;
  return {
    take(caller, cancel) {
      const previous = byCaller.get(caller);
      if (!previous && running >= limits.perProcess) return null;
      if (previous) previous.cancel();
      else running++;
      const entry = { cancel };
      byCaller.set(caller, entry);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        // A replaced export's slot went on to its successor.
        if (byCaller.get(caller) !== entry) return;
        byCaller.delete(caller);
        running--;
      };
    },
    get running() {
      return running;
    },
  };
}
