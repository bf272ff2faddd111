import cluster from "node:cluster";
import type { SharedSpends } from "../http/guards/rate-limit.ts";
import { createChangeBus } from "./bus.ts";

/**
 * What one worker's rate limiter spends, told to every other worker of this server (over the cluster's IPC
 * bus), so a caller's limit holds per server rather than per worker: a cluster of N workers would otherwise
 * let each caller N times the limit. Undefined in a single process (nothing to share). Across containers
 * (instances, a rolling deploy) limits are not shared: each container allows the limit.
 */
export function clusterSpends(name: string): SharedSpends | undefined {
  if (!cluster.isWorker) return undefined;
  const bus = createChangeBus();
  const topic = `limits.${name}`;
  return {
    spent(key, cost) {
      bus.publish(topic, JSON.stringify([key, cost]));
    },
    onSpent(handler) {
      bus.subscribe(topic, (data) => {
        if (data === undefined) return;
        const [key, cost] = JSON.parse(data) as [string, number];
        handler(key, cost);
      });
    },
  };
}
