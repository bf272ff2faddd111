/** What the primary sends each worker to stop it (see primary.ts). */
export const SHUTDOWN_MESSAGE = "lakebase-orders:shutdown";

/**
 * In a worker: the primary's shutdown message becomes this process's own SIGTERM (what `run` stops on). A
 * SIGTERM that reaches the whole process group as well is then absorbed instead of killing the worker
 * mid-shutdown.
 */
export function followPrimaryShutdown(): void {
  process.on("SIGTERM", () => undefined);
  process.on("SIGINT", () => undefined);
  let asked = false;
  process.on("message", (message: unknown) => {
    if (message !== SHUTDOWN_MESSAGE || asked) return;
    asked = true;
    process.emit("SIGTERM");
  });
  // The primary is gone (killed): nothing will ask again, so stop now.
  process.on("disconnect", () => {
    if (!asked) {
      asked = true;
      process.emit("SIGTERM");
    }
  });
}
