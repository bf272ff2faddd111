import cluster from "node:cluster";
import os from "node:os";

/**
 * What this process is: the primary of a cluster (it only supervises `workers` processes, each of which runs
 * the whole server and shares the listening socket), one of those workers, or a single process serving alone.
 */
export type ProcessRole =
  | { kind: "primary"; workers: number }
  | { kind: "worker"; id: number }
  | { kind: "single" };

/** Worker processes the configuration asks for: CLUSTER_WORKERS, or one per available vCPU when 0. */
export function workerCount(configured: number): number {
  return configured > 0 ? configured : os.availableParallelism();
}

/** The role, from the configured worker count (CLUSTER_WORKERS) and whether this process was forked. */
export function processRole(configuredWorkers: number): ProcessRole {
  if (cluster.isWorker) return { kind: "worker", id: cluster.worker?.id ?? 0 };
  const workers = workerCount(configuredWorkers);
  return workers > 1 ? { kind: "primary", workers } : { kind: "single" };
}
