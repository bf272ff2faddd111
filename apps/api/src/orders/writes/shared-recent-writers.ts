import type { ChangeBus } from "../../cluster/bus.ts";
import type { RecentWriters } from "./recent-writers.ts";

const WROTE = "orders.wrote";

/**
 * Recent writers known to every worker: a caller's next request may land on another worker, which must
 * also send their reads to the primary. The write is told to the siblings before its response is sent.
 */
export function sharedRecentWriters(local: RecentWriters, bus: ChangeBus): RecentWriters {
  bus.subscribe(WROTE, (actor) => {
    if (actor !== undefined) local.wrote(actor);
  });
  return {
    wrote(actor) {
      local.wrote(actor);
      bus.publish(WROTE, actor);
    },
    isRecent: (actor) => local.isRecent(actor),
  };
}
