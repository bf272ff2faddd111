import { isUnreachable } from "@lakebase-orders/db";
import { isSyncedTableOnline, isSyncFailed } from "@lakebase-orders/shared";
import { describeFailure } from "../admin/failures.ts";
import type { CreateInput, CreateResult, OperationView, ResourceKind } from "../admin/types.ts";
import { createdOrExisting, type Workflow } from "../operations/workflow.ts";
import { PREPARING_STEP } from "../status/availability-policy.ts";
import { syncedTableStatus } from "../status/snapshot.ts";
import { operationTags, tagsOf, withOperation } from "./markers.ts";

/**
 * The create's first part, inside the request: see what exists and create the instance if it does not (tagged
 * with the operation, so a restarted process can find an interrupted create: operations/recovery.ts).
 * Catalog and synced table need an AVAILABLE instance, so they follow in `provisionRest`, in the background.
 * A resumed create (`createInstance: false`) never makes a new instance: one that vanished ends it.
 */
export async function startCreate(
  w: Workflow,
  op: OperationView,
  input: CreateInput,
  options: { createInstance?: boolean } = {},
): Promise<CreateResult> {
  const { api, names } = w;
  w.step(op, "checking which resources exist");
  const [instance, catalog, table] = await Promise.all([
    api.getInstance(names.instanceName),
    api.getCatalog(names.catalogName),
    api.getSyncedTable(names.syncedTable),
  ]);
  let instanceOutcome: "created" | "existing" = "existing";
  if (!instance && options.createInstance === false) {
    throw new Error(`the instance ${names.instanceName} no longer exists: nothing to resume`);
  }
  if (!instance) {
    w.step(op, "creating the instance");
    instanceOutcome = await createdOrExisting(() =>
      w.acting.createInstance({
        name: names.instanceName,
        capacity: input.capacity,
        node_count: input.nodeCount,
        ...(input.enableReadableSecondaries !== undefined
          ? { enable_readable_secondaries: input.enableReadableSecondaries }
          : {}),
        ...(input.retentionWindowInDays !== undefined
          ? { retention_window_in_days: input.retentionWindowInDays }
          : {}),
        custom_tags: operationTags(op),
      }),
    );
  }
  w.invalidate();
  return {
    operationId: op.id,
    resources: [
      { resource: "instance", name: names.instanceName, outcome: instanceOutcome, inBackground: false },
      {
        resource: "catalog",
        name: names.catalogName,
        outcome: catalog ? "existing" : "created",
        inBackground: !catalog,
      },
      {
        resource: "syncedTable",
        name: names.syncedTable,
        outcome: table ? "existing" : "created",
        inBackground: !table,
      },
    ],
  };
}

/**
 * The rest of a create, in the background: wait for the instance, create the catalog and the synced table
 * where `startCreate` found none, wait for the table to be ONLINE, then `onProvisioned` (the app's own tables
 * in the new database). Updates `result` where a resource turned out to exist after all.
 */
export async function provisionRest(
  w: Workflow,
  op: OperationView,
  result: CreateResult,
  onProvisioned: (() => Promise<void>) | undefined,
): Promise<void> {
  const { api, names } = w;
  const entry = (kind: ResourceKind) => result.resources.find((r) => r.resource === kind);
  w.step(op, "waiting for the instance to be AVAILABLE");
  await w.wait(op, "the instance to be AVAILABLE", async () => {
    const i = await api.getInstance(names.instanceName);
    if (!i) throw new Error(`the instance ${names.instanceName} disappeared while it was being created`);
    if (i.state === "STOPPED" || i.stopped) {
      throw new Error(`the instance ${names.instanceName} is stopped: start it, then create again`);
    }
    return i.state === "AVAILABLE";
  });

  const catalog = entry("catalog");
  if (catalog?.inBackground) {
    w.step(op, "creating the database catalog");
    catalog.outcome = await createdOrExisting(() =>
      w.acting.createCatalog({
        name: names.catalogName,
        database_instance_name: names.instanceName,
        database_name: names.databaseName,
        create_database_if_not_exists: true,
      }),
    );
  }
  w.step(op, "waiting for the catalog");
  await w.wait(op, "the catalog to exist", async () => (await api.getCatalog(names.catalogName)) !== null);

  const table = entry("syncedTable");
  if (table?.inBackground) {
    w.step(op, "creating the synced table");
    table.outcome = await createdOrExisting(() =>
      w.acting.createSyncedTable({
        name: names.syncedTable,
        database_instance_name: names.instanceName,
        logical_database_name: names.databaseName,
        spec: {
          source_table_full_name: names.sourceTable,
          primary_key_columns: ["o_orderkey"],
          scheduling_policy: "SNAPSHOT",
          create_database_objects_if_missing: true,
          new_pipeline_spec: { storage_catalog: names.storageCatalog, storage_schema: names.storageSchema },
        },
      }),
    );
  }
  w.step(op, "waiting for the synced table to be ONLINE");
  await w.wait(op, "the synced table to be ONLINE", async () => {
    const raw = await api.getSyncedTable(names.syncedTable);
    if (!raw) throw new Error(`the synced table ${names.syncedTable} disappeared while it was being created`);
    const t = syncedTableStatus(raw);
    if (isSyncFailed(t))
      throw new Error(`the sync failed: ${t.detailedState ?? t.state}${t.message ? `: ${t.message}` : ""}`);
    return isSyncedTableOnline(t);
  });
  if (onProvisioned) {
    w.step(op, PREPARING_STEP);
    // A database that just came ONLINE may not take connections yet (its address is still being looked up,
    // it is still starting): that is a wait, like the ones above, not a failed create.
    await w.wait(op, PREPARING_STEP, async () => {
      try {
        await onProvisioned();
        return true;
      } catch (error) {
        if (isUnreachable(error)) return false;
        throw error;
      }
    });
  }
}

/**
 * Notes a failed create on its instance: before its database exists no journal can take the outcome, and
 * without this every process would show the create as still under way (and one would resume it). Best
 * effort: the failure is in the log, the audit and (once its database answers) the journal either way.
 */
export async function markCreateFailed(w: Workflow, op: OperationView, failure: unknown): Promise<void> {
  try {
    const instance = await w.api.getInstance(w.names.instanceName);
    if (!instance || instance.state === "DELETING") return;
    const tags = withOperation(tagsOf(instance), op, { failed: describeFailure(failure).message });
    await w.acting.setTags(w.names.instanceName, tags);
  } catch {
    // The failure stands regardless; only its note on the instance is missing.
  }
}
