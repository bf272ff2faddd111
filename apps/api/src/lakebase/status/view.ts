import { withDeadline } from "@lakebase-orders/lakebase-api";
import { createCache } from "../../cache/cache.ts";
import { describeFailure, fromDatabricks } from "../admin/failures.ts";
import type { DatabricksHealth, LakebaseNamesView, LakebaseStatus, OperationView } from "../admin/types.ts";
import type { OperationJournal } from "../operations/journal.ts";
import type { OperationLock } from "../operations/lock.ts";
import { viewOf } from "../operations/recovery.ts";
import type { StatusReader } from "./reader.ts";
import type { ResourceSnapshot } from "./snapshot.ts";

export const EMPTY_SNAPSHOT: ResourceSnapshot = { instance: null, catalog: null, syncedTable: null };
const HEALTHY: DatabricksHealth = { ok: true, error: null, failingSince: null, databricks: null };
/** How long a status query waits for Databricks before it shows the last snapshot, marked stale. */
const STATUS_WAIT_MS = 5000;

export interface StatusViewOptions {
  configured: boolean;
  names: LakebaseNamesView;
  reader: StatusReader | null;
  lock: OperationLock;
  journal: OperationJournal | null;
  databaseReady: () => boolean;
  cacheMs: number;
}

export interface StatusView {
  /** The status as `lakebase.status` and the progress stream show it, from a snapshot at most `maxAgeMs` old. */
  status(maxAgeMs: number): Promise<LakebaseStatus>;
  /** The running operation changed here: the view of other processes' operations is looked up again. */
  changed(): void;
}

/**
 * The Lakebase status for the console: the snapshot (or, while Databricks throttles or fails, the last good
 * one with `api` saying so, after a short wait rather than a stall), and the running operation, this
 * process's or, per the shared journal, another one's.
 */
export function createStatusView(o: StatusViewOptions): StatusView {
  const { reader, lock, journal } = o;
  // Another process's running operation, from the journal (cached like the snapshot).
  const others = createCache<OperationView | null>({ ttlMs: o.cacheMs });
  const otherOperation = async (): Promise<OperationView | null> => {
    if (!journal || !o.databaseReady()) return null;
    return others
      .get("running", async () => {
        const row = await journal.running(o.names.instanceName);
        return row?.live ? viewOf(row, row.step) : null;
      })
      .catch(() => null);
  };

  const snapshotAndHealth = async (
    maxAgeMs: number,
  ): Promise<{ snapshot: ResourceSnapshot; health: DatabricksHealth }> => {
    if (!reader) return { snapshot: EMPTY_SNAPSHOT, health: HEALTHY };
    const waitMs = Math.min(STATUS_WAIT_MS, Math.max(o.cacheMs, 1000));
    try {
      const snapshot = await withDeadline(
        reader.read(maxAgeMs),
        waitMs,
        `Databricks has not answered the status calls within ${waitMs / 1000} s (still trying)`,
      );
      return { snapshot, health: reader.health() };
    } catch (error) {
      // Throttled or failing: the console shows the last snapshot, marked, rather than an error or a stall.
      const last = reader.last();
      if (!last) throw fromDatabricks(error, "reading the Lakebase status failed");
      const failed = reader.health();
      const health = failed.ok
        ? {
            ...HEALTHY,
            ok: false,
            error: describeFailure(error).message,
            failingSince: new Date().toISOString(),
          }
        : failed;
      return { snapshot: last.snapshot, health };
    }
  };

  return {
    async status(maxAgeMs) {
      const { snapshot, health } = await snapshotAndHealth(maxAgeMs);
      return {
        configured: o.configured,
        config: o.names,
        ...snapshot,
        operation: lock.running ?? (await otherOperation()) ?? lock.current,
        fetchedAt: new Date(reader?.fetchedAt() ?? Date.now()).toISOString(),
        api: health,
      };
    },
    changed: () => others.clear(),
  };
}
