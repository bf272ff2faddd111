import { DeadlineError } from "@lakebase-orders/lakebase-api";
import type { StatusReader } from "../status/reader.ts";
import { isWaking } from "./wake.ts";

/** Longer than any wake: a compute that has not answered for this long is down, not waking. */
const WAKING_AT_MOST_MS = 30_000;
/** Failures further apart than this belong to different wakes. */
const SAME_WAKE_MS = 10_000;

export interface WakeWatch {
  /** Why `error` (a failed readiness ping) is a compute waking from scale to zero; null when it is not. */
  reason(error: unknown): string | null;
}

/**
 * Tells a compute waking from scale to zero from one that is down, for readiness: a failed or late ping
 * (a refused or ended connection, 57P03, a deadline) while the database is not known to be stopped or gone,
 * for at most WAKING_AT_MOST_MS of such failures in a row. Reads only the last known status (no call:
 * readiness probes must cost nothing), and asks for a fresh one in the background.
 */
export function wakeWatch(reader: StatusReader | null, endpoint: string): WakeWatch {
  let firstAt: number | null = null;
  let lastAt = 0;
  return {
    reason(error: unknown): string | null {
      const late =
        error instanceof DeadlineError ||
        /did not answer within|timeout/i.test(String((error as Error | undefined)?.message));
      if (!late && !isWaking(error)) return null;
      const last = reader?.last()?.snapshot;
      reader?.refresh(1000);
      if (last && (!last.instance || last.instance.stopped)) return null;
      const now = Date.now();
      if (firstAt === null || now - lastAt > SAME_WAKE_MS) firstAt = now;
      lastAt = now;
      if (now - firstAt > WAKING_AT_MOST_MS) return null;
      return `the Lakebase compute ${endpoint} is waking from scale to zero (the first connection after an idle period waits for it)`;
    },
  };
}
