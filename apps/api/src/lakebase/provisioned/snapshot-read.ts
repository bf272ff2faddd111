import type { DatabaseApi } from "@lakebase-orders/lakebase-api";
import type { LakebaseNamesView } from "../admin/types.ts";
import {
  catalogStatus,
  instanceStatus,
  type ObservedSnapshot,
  syncedTableStatus,
} from "../status/snapshot.ts";
import { recordedOn } from "./markers.ts";

/** One round of Provisioned status calls: the three resources, and the operation the instance carries. */
export async function readProvisioned(api: DatabaseApi, names: LakebaseNamesView): Promise<ObservedSnapshot> {
  const [i, cat, t] = await Promise.all([
    api.getInstance(names.instanceName),
    api.getCatalog(names.catalogName),
    api.getSyncedTable(names.syncedTable),
  ]);
  return {
    instance: i ? instanceStatus(i) : null,
    catalog: cat ? catalogStatus(cat) : null,
    syncedTable: t ? syncedTableStatus(t) : null,
    recorded: i ? recordedOn(i) : null,
  };
}
