import { isSyncedTableOnline, isSyncFailed } from "@lakebase-orders/shared";
import type { DataAvailability } from "../../orders/reads/availability.ts";
import type { LakebaseNamesView, OperationView } from "../admin/types.ts";
import { describeProgress, type ResourceSnapshot } from "./snapshot.ts";

export const PREPARING_STEP = "preparing the app's own tables in the new database";

/**
 * Whether analysts can read the orders, from the Lakebase status, and if not, why in words they can act on
 * (these reasons reach the SPA verbatim).
 */
export function availabilityOf(
  snapshot: ResourceSnapshot,
  running: OperationView | null,
  names: LakebaseNamesView,
): DataAvailability {
  const t = snapshot.syncedTable;
  const i = snapshot.instance;
  // A stopped instance keeps its synced table ONLINE in Databricks: the reads would only fail to connect.
  if (i && (i.stopped || i.state === "STOPPED" || i.state === "STOPPING")) {
    return {
      available: false,
      reason: `Orders data is not available: the database (Lakebase instance ${names.instanceName}) is stopped; an admin can start it.`,
      down: true,
    };
  }
  if (i?.state === "STARTING") {
    return {
      available: false,
      reason: `Orders data is not available yet: the database (Lakebase instance ${names.instanceName}) is starting; it is readable again in a minute or two.`,
      down: true,
    };
  }
  if (isSyncedTableOnline(t)) {
    // ONLINE, but the app's own tables may not be migrated into the new database yet.
    if (running?.kind === "create" && running.step === PREPARING_STEP) {
      return { available: false, reason: "Orders data is synced; the app's own tables are being prepared." };
    }
    return { available: true };
  }
  if (!snapshot.instance) {
    return {
      available: false,
      reason: `Orders data is not available: the Lakebase instance ${names.instanceName} does not exist (an admin can create it).`,
    };
  }
  if (!t) {
    return {
      available: false,
      reason: `Orders data is not available: the synced table ${names.syncedTable} does not exist (an admin can create it).`,
    };
  }
  if (isSyncFailed(t)) {
    return {
      available: false,
      // The pipeline's own message is Databricks text: admins read it in the status, not every reader here.
      reason: `Orders data is not available: the sync of ${t.name} failed (${t.detailedState ?? t.state}); an admin can see why.`,
    };
  }
  return { available: false, reason: `Orders data is still syncing (${describeProgress(t.progress)}).` };
}
