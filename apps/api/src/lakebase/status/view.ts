import type { LakebaseFlavour } from "@lakebase-orders/config";
import { withDeadline } from "@lakebase-orders/lakebase-api";
import { createCache } from "../../cache/cache.ts";
import { describeFailure, fromDatabricks } from "../admin/failures.ts";
import { resourcesOfSnapshot } from "../admin/resources.ts";
import type { DatabricksHealth, LakebaseNamesView, LakebaseStatus, OperationView } from "../admin/types.ts";
import type { OperationOutcomes } from "../operations/flavour.ts";
import type { JournalRow, OperationJournal } from "../operations/journal.ts";
import { currentOperation } from "../operations/outcome.ts";
import type { StatusReader } from "./reader.ts";
import type { ObservedSnapshot } from "./snapshot.ts";

export const EMPTY_SNAPSHOT: ObservedSnapshot = {
  instance: null,
  catalog: null,
  syncedTable: null,
  recorded: null,
};
const HEALTHY: DatabricksHealth = { ok: true, error: null, failingSince: null, databricks: null };
/** How long a status query waits for Databricks before it shows the last snapshot, marked stale. */
const STATUS_WAIT_MS = 5000;
/**
 * How long a status query waits for the journal: it lives in the database the operations stop and delete,
 * and then the resources alone say where things stand (no status waits on a database that is not there).
 */
const JOURNAL_WAIT_MS = 1000;

export interface StatusViewOptions {
  configured: boolean;
  flavour: LakebaseFlavour;
  names: LakebaseNamesView;
  reader: StatusReader | null;
  journal: OperationJournal | null;
  databaseReady: () => boolean;
  outcomes: OperationOutcomes;
  /** This process's running operation, if any (operations/lock.ts). */
  running: () => OperationView | null;
  cacheMs: number;
}

export interface StatusView {
  /** The status as `lakebase.status` and the progress stream show it, from a snapshot at most `maxAgeMs` old. */
  status(maxAgeMs: number): Promise<LakebaseStatus>;
  /** An operation of this process changed: the journal is read again. */
  changed(): void;
}

/**
 * The Lakebase status for the console: the snapshot (or, while Databricks throttles or fails, the last good
 * one with `api` saying so, after a short wait rather than a stall), and the current or last operation from
 * what every process reads alike: the shared journal (when its database answers) and the operation the
 * resources carry, judged against the resources (operations/outcome.ts). No process answers from what it
 * alone remembers, so every worker and every container says the same; the one exception is the holder of a
 * running operation, which knows it has not finished (a create's last step, the app's own tables, comes after
 * the resources look done) and where it stands before the others can see it.
 */
export function createStatusView(o: StatusViewOptions): StatusView {
  const { reader, journal } = o;
  // The journal's newest row, cached like the snapshot; a journal that does not answer is remembered as such
  // for as long, so a stopped database costs one short wait per interval, not one per status query.
  const latest = createCache<{ row: JournalRow | null }>({ ttlMs: o.cacheMs });
  // The newest row read from the journal. A finished row never changes, so it stands in while the journal is
  // slow to answer (a busy machine, a database waking up): else the operation would flip between the
  // journal's view and the resources' (which has no finish time) with every read that makes or misses the
  // deadline, and the progress stream would push each flip as a change.
  let lastRead: JournalRow | null = null;
  const journalRow = async (): Promise<JournalRow | null> => {
    if (!journal || !o.databaseReady()) return null;
    const read = await latest.get("latest", async () => {
      try {
        const row = await withDeadline(
          journal.latest(o.names.instanceName),
          JOURNAL_WAIT_MS,
          "the operation journal did not answer",
        );
        lastRead = row;
        return { row };
      } catch {
        return { row: lastRead?.outcome === "running" ? null : lastRead };
      }
    });
    return read.row;
  };

  const snapshotAndHealth = async (
    maxAgeMs: number,
  ): Promise<{ snapshot: ObservedSnapshot; health: DatabricksHealth }> => {
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
      const [{ snapshot, health }, row] = await Promise.all([snapshotAndHealth(maxAgeMs), journalRow()]);
      // The recorded operation is judged, not shown as such (its actor is for admins: visible-status.ts).
      const { recorded: _recorded, resources: _listed, ...shown } = snapshot;
      return {
        configured: o.configured,
        flavour: o.flavour,
        config: o.names,
        ...shown,
        resources: resourcesOfSnapshot(snapshot),
        operation: o.configured ? withOwn(currentOperation(row, snapshot, o.outcomes), o.running()) : null,
        fetchedAt: new Date(reader?.fetchedAt() ?? Date.now()).toISOString(),
        api: health,
      };
    },
    changed: () => latest.clear(),
  };
}

/** The shared view, unless this process runs a newer operation, or the same one (running, or just ended and not yet in the journal). */
function withOwn(shared: OperationView | null, mine: OperationView | null): OperationView | null {
  if (!mine) return shared;
  if (!shared || shared.id === mine.id || Date.parse(mine.startedAt) > Date.parse(shared.startedAt)) {
    return { ...mine };
  }
  return shared;
}
