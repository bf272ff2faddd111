/**
 * How many exports this process runs at once. An export holds a pooled connection for its whole download
 * (seconds to minutes for the full table) and its sort can keep the database busy for as long, so a caller
 * runs one at a time, anonymous callers share one between them, and the process runs few: anything more is
 * refused (429), never queued and never replacing the running one (a replaced export's work went on in the
 * database until it noticed). Across processes, the database's advisory locks hold the same rules
 * (admission.ts); this gate answers the common case without a connection.
 */
export interface ExportSlots {
  /** A release function (call it once the export has ended), or why there is no slot. */
  take(caller: string): { ok: true; release: () => void } | { ok: false; why: "yours" | "full" };
  readonly running: number;
}

export function createExportSlots(limits: { perProcess: number }): ExportSlots {
  const callers = new Set<string>();
  return {
    take(caller) {
      if (callers.has(caller)) return { ok: false, why: "yours" };
      if (callers.size >= limits.perProcess) return { ok: false, why: "full" };
      callers.add(caller);
      let released = false;
      return {
        ok: true,
        release: () => {
          if (released) return;
          released = true;
          callers.delete(caller);
        },
      };
    },
    get running() {
      return callers.size;
    },
  };
}
