import { isSyncedTableOnline, isSyncFailed } from "@lakebase-orders/shared";
import type { OperationOutcomes, OutcomeCheck } from "../operations/flavour.ts";
import type { ResourceSnapshot } from "../status/snapshot.ts";

const reached = (note: string | null = null): OutcomeCheck => ({ state: "reached", note });
const moving = (step: string): OutcomeCheck => ({ state: "moving", step });
const NOT_REACHED: OutcomeCheck = { state: "not-reached" };

/**
 * Where an Autoscaling operation stands, from the resources (a project has no custom tags: the journal is
 * the record of operations, and this judges a running row whose process stopped). `instance` is the project
 * as read.ts shows it: STOPPED while the app's read-write endpoint is disabled, STARTING until its branch and
 * endpoint run. A stop has succeeded when that endpoint is disabled, a start when it runs again, a delete
 * when the project, catalog and synced table are gone, a create when the synced table is ONLINE.
 */
export const autoscalingOutcomes: OperationOutcomes = {
  check(kind, snapshot) {
    const i = snapshot.instance;
    switch (kind) {
      case "stop":
        if (!i) return { state: "failed", error: "the project no longer exists" };
        return i.stopped ? reached() : NOT_REACHED;
      case "start":
        if (!i) return { state: "failed", error: "the project no longer exists" };
        if (i.stopped) return NOT_REACHED;
        return i.state === "AVAILABLE" ? reached() : moving("waiting for the read-write endpoint to run");
      case "delete":
        return !i && !snapshot.catalog && !snapshot.syncedTable ? reached() : NOT_REACHED;
      case "create":
        return createCheck(snapshot);
      default:
        // A branch or endpoint action: its input was not kept, so nothing says which resource it was about.
        // Databricks carries on what it took; the console lists where it got to, and a retry is idempotent.
        return {
          state: "failed",
          error: `interrupted: its process stopped before it finished; see the resources for what Databricks did, and run the ${kind} again if needed (it is idempotent)`,
        };
    }
  },
};

function createCheck(snapshot: ResourceSnapshot): OutcomeCheck {
  const { instance: i, catalog, syncedTable: t } = snapshot;
  if (!i) return NOT_REACHED;
  if (catalog && isSyncedTableOnline(t)) return reached();
  if (t && isSyncFailed(t)) {
    return {
      state: "failed",
      error: `the sync failed: ${t.detailedState ?? t.state}${t.message ? `: ${t.message}` : ""}`,
    };
  }
  // Its endpoint disabled half-way (outside the app): nothing moves until someone starts it.
  if (i.stopped) return NOT_REACHED;
  if (i.state !== "AVAILABLE") return moving("waiting for the branch and its read-write endpoint");
  if (!catalog) return moving("creating the database catalog");
  if (!t) return moving("creating the synced table");
  return moving("waiting for the synced table to be ONLINE");
}
