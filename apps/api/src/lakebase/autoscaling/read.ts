import type { LakebaseTarget } from "@lakebase-orders/config";
import {
  catalogName,
  isNotFound,
  type Page,
  type PostgresApi,
  syncedTableName,
} from "@lakebase-orders/lakebase-api";
import type { LakebaseNamesView } from "../admin/types.ts";
import type { ObservedSnapshot } from "../status/snapshot.ts";
import {
  branchView,
  catalogStatusOf,
  catalogView,
  endpointView,
  instanceOfProject,
  projectView,
  syncedTableStatusOf,
  syncedTableView,
} from "./views.ts";

export type AutoscalingTarget = Extract<LakebaseTarget, { flavour: "autoscaling" }>;

/** Branches listed per status round: one page (the console lists more through `lakebase.branches.list`). */
const BRANCHES_PER_STATUS = 100;

/**
 * One round of the Autoscaling status, side by side: the project, its branches, the app branch's endpoints,
 * the catalog and the synced table (five GETs; REST calls never wake a compute scaled to zero). A project or
 * branch that is not there lists nothing.
 */
export async function readAutoscaling(
  api: PostgresApi,
  target: AutoscalingTarget,
  names: LakebaseNamesView,
): Promise<ObservedSnapshot> {
  const empty = <T>(call: Promise<Page<T>>) =>
    call.catch((error: unknown): Page<T> => {
      if (isNotFound(error)) return { items: [], nextPageToken: null };
      throw error;
    });
  const [project, branches, endpoints, catalog, table] = await Promise.all([
    api.getProject(target.project),
    empty(api.listBranches(target.project, { pageSize: BRANCHES_PER_STATUS })),
    empty(api.listEndpoints(target.branch, { pageSize: 100 })),
    api.getCatalog(catalogName(names.catalogName)),
    api.getSyncedTable(syncedTableName(names.syncedTable)),
  ]);
  const branch = branches.items.find((b) => b.name === target.branch) ?? null;
  const endpoint = endpoints.items.find((e) => e.name === target.endpoint) ?? null;
  const syncedTable = table ? syncedTableStatusOf(table, names.syncedTable) : null;
  const resources = [
    ...(project ? [projectView(project, true)] : []),
    ...branches.items.map((b) => branchView(b, target.branch)),
    ...endpoints.items.map((e) => endpointView(e, target.endpoint)),
    ...(catalog ? [catalogView(catalog, names.catalogName)] : []),
    ...(syncedTable ? [syncedTableView(syncedTable, catalog?.name ?? null)] : []),
  ];
  return {
    instance: project ? instanceOfProject(project, endpoint, branch) : null,
    catalog: catalog ? catalogStatusOf(catalog, names.catalogName) : null,
    syncedTable,
    resources,
    // A project has no custom tags to carry an operation: the journal is the record of operations, and the
    // resources' own state says where one got to (outcomes.ts).
    recorded: null,
  };
}
