import { isUnavailable } from "@lakebase-orders/lakebase-api";
import type { OperationInterrupted } from "./interrupted.ts";

export interface WaitOptions {
  intervalMs: number;
  timeoutMs: number;
  /**
   * Why the operation must stop now, if it must (the app is closing, its lease was taken): waiting ends with
   * that error rather than outliving the process or racing the new holder.
   */
  interrupted: () => OperationInterrupted | null;
}

/**
 * Polls `done` until it says true. A short run of "unavailable" answers is a blip while polling for
 * minutes, not a failure of the operation; a longer run, any other error, or the deadline is.
 */
export async function waitFor(
  what: string,
  done: () => Promise<boolean>,
  options: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let unavailable = 0;
  for (;;) {
    const interrupted = options.interrupted();
    if (interrupted) throw interrupted;
    try {
      if (await done()) return;
      unavailable = 0;
    } catch (error) {
      if (!isUnavailable(error) || ++unavailable > 3) throw error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs));
  }
}
