import { isUnreachable } from "@lakebase-orders/db";
import {
  catalogName,
  type Duration,
  type EndpointSettings,
  type Operation,
  type Project,
  syncedTableName,
} from "@lakebase-orders/lakebase-api";
import { isSyncedTableOnline, isSyncFailed } from "@lakebase-orders/shared";
import type { CreateInput, CreateResult, OperationView } from "../admin/types.ts";
import { PREPARING_STEP } from "../status/availability-policy.ts";
import type { ComputeInput } from "./schemas.ts";
import { syncedTableStatusOf } from "./views.ts";
import { type AutoscalingWorkflow, createdBy, startedOrExisting } from "./workflow.ts";

/** What a create found and started in its request, for the rest to carry on in the background. */
export interface StartedCreate {
  result: CreateResult;
  /** The project's operation, when the request created it. */
  project: Operation<Project> | null;
}

/** The endpoint settings of `compute` as the API spells them. */
export function endpointSettingsOf(compute: ComputeInput | undefined): EndpointSettings {
  if (!compute) return {};
  return {
    ...(compute.minCu !== undefined ? { autoscaling_limit_min_cu: compute.minCu } : {}),
    ...(compute.maxCu !== undefined ? { autoscaling_limit_max_cu: compute.maxCu } : {}),
    ...(compute.suspendTimeoutSeconds === null
      ? { no_suspension: true }
      : compute.suspendTimeoutSeconds !== undefined
        ? { suspend_timeout_duration: `${compute.suspendTimeoutSeconds}s` as Duration }
        : {}),
  };
}

/**
 * The create's first part, inside the request: see what exists, and ask for the project if it does not
 * (Databricks makes its root branch `production`, that branch's read-write endpoint `primary` and the
 * database `databricks_postgres` with it). The rest follows in `provisionRest`, in the background. A
 * retried create finds what exists and carries on from there.
 */
export async function startCreate(
  w: AutoscalingWorkflow,
  op: OperationView,
  input: Pick<CreateInput, "compute" | "retentionWindowInDays">,
  options: { createProject?: boolean } = {},
): Promise<StartedCreate> {
  const { api, target, names } = w;
  w.step(op, "checking which resources exist");
  const [project, branch, catalog, table] = await Promise.all([
    api.getProject(target.project),
    api.getBranch(target.branch),
    api.getCatalog(catalogName(names.catalogName)),
    api.getSyncedTable(syncedTableName(names.syncedTable)),
  ]);
  if (!project && options.createProject === false) {
    throw new Error(`the project ${target.project} no longer exists: nothing to resume`);
  }
  let started: Operation<Project> | null = null;
  if (!project) {
    w.step(op, "creating the project (its production branch and primary endpoint come with it)");
    const settings = endpointSettingsOf(input.compute);
    started = await startedOrExisting(() =>
      w.acting.createProject(target.projectId, {
        spec: {
          display_name: target.projectId,
          ...(input.retentionWindowInDays !== undefined
            ? { history_retention_duration: `${input.retentionWindowInDays * 86_400}s` as Duration }
            : {}),
          ...(Object.keys(settings).length > 0 ? { default_endpoint_settings: settings } : {}),
        },
      }),
    );
  }
  w.invalidate();
  const background = (exists: unknown) =>
    ({ outcome: exists ? "existing" : "created", inBackground: !exists }) as const;
  return {
    project: started,
    result: {
      operationId: op.id,
      resources: [
        {
          resource: "project",
          name: target.project,
          outcome: project || !started ? "existing" : "created",
          inBackground: false,
        },
        { resource: "branch", name: target.branch, ...background(branch) },
        { resource: "catalog", name: names.catalogName, ...background(catalog) },
        { resource: "syncedTable", name: names.syncedTable, ...background(table) },
      ],
    },
  };
}

/**
 * The rest of a create, in the background: the project's operation to its end, the app's branch (when it
 * is not the root one) and its read-write endpoint running, then the catalog and the synced table on the
 * branch's database (`ensureData`), then `onProvisioned` (the app's own tables in the new database).
 */
export async function provisionRest(
  w: AutoscalingWorkflow,
  op: OperationView,
  started: StartedCreate,
  onProvisioned: (() => Promise<void>) | undefined,
): Promise<void> {
  const { api, target } = w;
  const entry = (kind: CreateResult["resources"][number]["resource"]) =>
    started.result.resources.find((r) => r.resource === kind);
  if (started.project) await createdBy(w, op, "the project", started.project);

  const branch = entry("branch");
  const existing = await api.getBranch(target.branch);
  if (!existing) {
    const project = await api.getProject(target.project);
    w.step(op, `creating the branch ${target.branchId}`);
    const made = await createdBy(
      w,
      op,
      `the branch ${target.branchId}`,
      await startedOrExisting(() =>
        w.acting.createBranch(target.project, target.branchId, {
          ...(project?.status?.default_branch ? { source_branch: project.status.default_branch } : {}),
          no_expiry: true,
        }),
      ),
    );
    if (branch) branch.outcome = made;
  } else if (branch) {
    branch.outcome = "existing";
  }
  await w.wait(op, `the branch ${target.branchId} to be READY`, async () => {
    const b = await api.getBranch(target.branch);
    if (!b) throw new Error(`the branch ${target.branch} disappeared while it was being created`);
    return b.status?.current_state === "READY";
  });
  await w.wait(op, "the read-write endpoint to run", async () => {
    const e = await api.getEndpoint(target.endpoint);
    if (e?.status?.disabled) {
      throw new Error(`the endpoint ${target.endpoint} is disabled (stopped): start it, then create again`);
    }
    return e !== null && e.status?.current_state !== "INIT";
  });

  const outcomes = await ensureData(w, op, { branch: target.branch, catalogId: w.names.catalogName });
  const catalog = entry("catalog");
  const table = entry("syncedTable");
  if (catalog) catalog.outcome = outcomes.catalog;
  if (table) table.outcome = outcomes.syncedTable;

  if (onProvisioned) {
    w.step(op, PREPARING_STEP);
    // A database that just came ONLINE may not take connections yet: a wait like the ones above.
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
 * A catalog on a branch's database (created if missing) and the orders synced table in it, then the table
 * ONLINE: what the app reads, on its own branch or any other (`lakebase.data.attach`). Existing ones are kept.
 */
export async function ensureData(
  w: AutoscalingWorkflow,
  op: OperationView,
  where: { branch: string; catalogId: string },
): Promise<{ catalog: "created" | "existing"; syncedTable: "created" | "existing"; name: string }> {
  const { api, names } = w;
  const { schema, table: tableName } = splitTable(names.syncedTable);
  const fullName = `${where.catalogId}.${schema}.${tableName}`;
  w.step(op, `creating the catalog ${where.catalogId}`);
  const catalog = await createdBy(
    w,
    op,
    `the catalog ${where.catalogId}`,
    await startedOrExisting(() =>
      w.acting.createCatalog(where.catalogId, {
        branch: where.branch,
        postgres_database: names.databaseName,
        create_database_if_missing: true,
      }),
    ),
  );
  w.step(op, `creating the synced table ${fullName}`);
  const syncedTable = await createdBy(
    w,
    op,
    `the synced table ${fullName}`,
    await startedOrExisting(() =>
      w.acting.createSyncedTable(fullName, {
        source_table_full_name: names.sourceTable,
        primary_key_columns: ["o_orderkey"],
        scheduling_policy: "SNAPSHOT",
        branch: where.branch,
        postgres_database: names.databaseName,
        create_database_objects_if_missing: true,
        new_pipeline_spec: { storage_catalog: names.storageCatalog, storage_schema: names.storageSchema },
      }),
    ),
  );
  await w.wait(op, `the synced table ${fullName} to be ONLINE`, async () => {
    const raw = await api.getSyncedTable(syncedTableName(fullName));
    if (!raw) throw new Error(`the synced table ${fullName} disappeared while it was being created`);
    const t = syncedTableStatusOf(raw, fullName);
    if (isSyncFailed(t))
      throw new Error(`the sync failed: ${t.detailedState ?? t.state}${t.message ? `: ${t.message}` : ""}`);
    return isSyncedTableOnline(t);
  });
  return { catalog, syncedTable, name: fullName };
}

/** `catalog.schema.table` -> its schema and table (the catalog is the branch's own). */
export function splitTable(fullName: string): { schema: string; table: string } {
  const [, schema = "public", table = "orders_synced"] = fullName.split(".");
  return { schema, table };
}
