import cluster, { type Worker } from "node:cluster";
import { sendToPrimary } from "./ipc.ts";

/**
 * Readiness of a whole server, not of one process: every worker of a cluster takes connections (the primary
 * hands them out in turn), so `/api/ready` may say 200 only once every one of them can serve orders. Each
 * worker tells the primary its own readiness; the primary tells every worker which workers are not ready.
 */
export interface SiblingReadiness {
  /** Tells the primary whether this worker can serve (its database reached and migrated). */
  report(ready: boolean): void;
  /**
   * The other workers of this server that cannot serve yet, as the primary last said; null until it has said
   * anything (a worker that has just started knows nothing of the others).
   */
  waiting(): readonly number[] | null;
}

interface ReadyReport {
  lakebaseOrdersReady: boolean;
}

interface NotReadyList {
  lakebaseOrdersNotReady: number[];
}

const isReport = (m: unknown): m is ReadyReport =>
  typeof m === "object" && m !== null && typeof (m as ReadyReport).lakebaseOrdersReady === "boolean";
const isList = (m: unknown): m is NotReadyList =>
  typeof m === "object" && m !== null && Array.isArray((m as NotReadyList).lakebaseOrdersNotReady);

/** In a cluster worker: its link to the primary's view of readiness; undefined in a single process. */
export function workerReadiness(): SiblingReadiness | undefined {
  if (!cluster.isWorker || typeof process.send !== "function") return undefined;
  const self = cluster.worker?.id ?? 0;
  let others: number[] | null = null;
  process.on("message", (message: unknown) => {
    if (isList(message)) others = message.lakebaseOrdersNotReady.filter((id) => id !== self);
  });
  return {
    report: (ready) => {
      sendToPrimary({ lakebaseOrdersReady: ready } satisfies ReadyReport);
    },
    waiting: () => others,
  };
}

/**
 * In the primary: which workers are ready. A worker counts as not ready from its fork until it says
 * otherwise, and stops counting when it exits; every change is sent to every live worker.
 */
export function createReadinessTracker(live: () => Worker[]) {
  const ready = new Map<number, boolean>();
  const broadcast = () => {
    const list: NotReadyList = {
      lakebaseOrdersNotReady: [...ready].filter(([, r]) => !r).map(([id]) => id),
    };
    for (const w of live()) if (w.isConnected()) w.send(list, undefined, () => undefined);
  };
  return {
    forked(worker: Worker) {
      ready.set(worker.id, false);
      broadcast();
    },
    /** True when the message was a readiness report (and is handled). */
    message(worker: Worker, message: unknown): boolean {
      if (!isReport(message)) return false;
      ready.set(worker.id, message.lakebaseOrdersReady);
      broadcast();
      return true;
    },
    exited(worker: Worker) {
      ready.delete(worker.id);
      broadcast();
    },
  };
}
