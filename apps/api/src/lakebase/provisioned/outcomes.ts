import { isSyncedTableOnline, isSyncFailed } from "@lakebase-orders/shared";
import type { OperationOutcomes, OutcomeCheck } from "../operations/flavour.ts";
import type { ResourceSnapshot } from "../status/snapshot.ts";

const reached = (note: string | null = null): OutcomeCheck => ({ state: "reached", note });
const moving = (step: string): OutcomeCheck => ({ state: "moving", step });
const NOT_REACHED: OutcomeCheck = { state: "not-reached" };

/**
 * Where a Provisioned operation stands, from the three resources: a stop has succeeded when the instance is
 * STOPPED, a start when it is AVAILABLE, a delete when all three are gone, a create when the synced table is
 * ONLINE (the app's own tables follow as soon as its database answers).
 */
export const provisionedOutcomes: OperationOutcomes = {
  check(kind, snapshot, landed) {
    const i = snapshot.instance;
    switch (kind) {
      case "stop":
        if (!i) return { state: "failed", error: "the instance no longer exists" };
        if (i.state === "STOPPED") return reached();
        if (i.stopped) return moving("waiting for the instance to be STOPPED");
        // Its PATCH reached Databricks (the instance carries it), and the instance runs again: started since.
        return landed ? reached("the instance has been started since") : NOT_REACHED;
      case "start":
        if (!i) return { state: "failed", error: "the instance no longer exists" };
        if (i.state === "AVAILABLE" && !i.stopped) return reached();
        if (!i.stopped) return moving("waiting for the instance to be AVAILABLE");
        return landed ? reached("the instance has been stopped since") : NOT_REACHED;
      case "delete":
        if (!i && !snapshot.catalog && !snapshot.syncedTable) return reached();
        if (i?.state === "DELETING") return moving("waiting for the instance to be gone");
        return NOT_REACHED;
      case "create":
        return createCheck(snapshot);
      default:
        // Lakebase Autoscaling's actions: never begun on a Provisioned instance.
        return { state: "failed", error: `a ${kind} is not an operation of a Provisioned instance` };
    }
  },
};

function createCheck(snapshot: ResourceSnapshot): OutcomeCheck {
  const { instance: i, catalog, syncedTable: t } = snapshot;
  // Gone, or going: whatever a create did, a delete came after it.
  if (!i || i.state === "DELETING") return NOT_REACHED;
  if (catalog && isSyncedTableOnline(t)) return reached();
  if (t && isSyncFailed(t)) {
    return {
      state: "failed",
      error: `the sync failed: ${t.detailedState ?? t.state}${t.message ? `: ${t.message}` : ""}`,
    };
  }
  // Stopped half-way (outside the app): nothing moves until someone starts it.
  if (i.stopped) return NOT_REACHED;
  if (i.state !== "AVAILABLE") return moving("waiting for the instance to be AVAILABLE");
  if (!catalog) return moving("creating the database catalog");
  if (!t) return moving("creating the synced table");
  return moving("waiting for the synced table to be ONLINE");
}
