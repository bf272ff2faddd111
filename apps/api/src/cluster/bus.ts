import cluster, { type Worker } from "node:cluster";
import { sendToPrimary } from "./ipc.ts";

/**
 * Tells the other worker processes of this server that something changed (a status, who wrote lately), so
 * state that lives in each process's memory follows. Messages go worker -> primary -> every other worker over
 * the cluster's IPC channel; a single process has no siblings and publishing is a no-op.
 */
export interface ChangeBus {
  /** Delivered to the subscribers of `topic` in every other worker (not in this one). */
  publish(topic: string, data?: string): void;
  /** Returns the unsubscribe function. */
  subscribe(topic: string, handler: (data: string | undefined) => void): () => void;
}

interface BusMessage {
  lakebaseOrdersBus: { topic: string; data?: string };
}

function isBusMessage(message: unknown): message is BusMessage {
  return typeof message === "object" && message !== null && "lakebaseOrdersBus" in message;
}

/** The bus of this process: IPC with its siblings when it is a cluster worker, else local only. */
export function createChangeBus(): ChangeBus {
  const handlers = new Map<string, Set<(data: string | undefined) => void>>();
  const inWorker = cluster.isWorker && typeof process.send === "function";
  if (inWorker) {
    process.on("message", (message: unknown) => {
      if (!isBusMessage(message)) return;
      const { topic, data } = message.lakebaseOrdersBus;
      for (const handler of handlers.get(topic) ?? []) handler(data);
    });
  }
  return {
    publish(topic, data) {
      if (!inWorker) return;
      const message: BusMessage = { lakebaseOrdersBus: data === undefined ? { topic } : { topic, data } };
      sendToPrimary(message);
    },
    subscribe(topic, handler) {
      const set = handlers.get(topic) ?? new Set();
      handlers.set(topic, set);
      set.add(handler);
      return () => {
        set.delete(handler);
      };
    },
  };
}

/** In the primary: passes each worker's bus messages on to all the other workers. */
export function relayBusMessages(from: Worker, message: unknown, workers: Iterable<Worker>): boolean {
  if (!isBusMessage(message)) return false;
  for (const w of workers) if (w !== from && w.isConnected()) w.send(message, undefined, () => undefined);
  return true;
}
