import { withDeadline } from "@lakebase-orders/lakebase-api";
import type { Logger } from "@lakebase-orders/log";
import type { DataAvailability } from "../../orders/reads/availability.ts";
import type { OperationLock } from "../operations/lock.ts";
import { availabilityOf } from "../status/availability-policy.ts";
import type { StatusReader } from "../status/reader.ts";
import type { ResourceSnapshot } from "../status/snapshot.ts";
import { describeFailure } from "./failures.ts";
import type { LakebaseNamesView } from "./types.ts";

/** How long an orders request waits for the very first snapshot before it asks the table instead. */
const FIRST_STATUS_WAIT_MS = 2000;

/**
 * `LakebaseAdmin.availability` for any flavour's status reader. Orders reads decide from the last known
 * snapshot and never wait on Databricks: a stale one is refreshed in the background. They wait, briefly,
 * only for the very first answer, and for the first one after a change of this process (its own create
 * must not read as "does not exist").
 */
export function availabilityFrom(o: {
  reader: StatusReader | null;
  lock: OperationLock;
  names: LakebaseNamesView;
  cacheMs: number;
  log: Logger;
}) {
  const { reader, lock, names } = o;
  return (fallback: () => Promise<DataAvailability>) => async (): Promise<DataAvailability> => {
    if (!reader) return fallback();
    const last = reader.last();
    if (last && !last.invalidated) {
      reader.refresh(o.cacheMs);
      return availabilityOf(last.snapshot, lock.running, names);
    }
    let snapshot: ResourceSnapshot;
    try {
      snapshot = await withDeadline(reader.read(o.cacheMs), FIRST_STATUS_WAIT_MS, "no Lakebase status yet");
    } catch (error) {
      o.log.warn("lakebase status unavailable for the availability check", { error: describeFailure(error) });
      if (last) {
        // Not answering: the last known state serves until it does (no wait on every read meanwhile).
        reader.acceptStale();
        return availabilityOf(last.snapshot, lock.running, names);
      }
      // Databricks unreachable says nothing about Postgres: let the table decide.
      return fallback();
    }
    return availabilityOf(snapshot, lock.running, names);
  };
}
