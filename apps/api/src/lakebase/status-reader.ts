import { createCache } from "../lib/cache.ts";
import type { LakebaseApi } from "./databricks.ts";
import { fromDatabricks } from "./databricks-errors.ts";
import { catalogStatus, instanceStatus, type ResourceSnapshot, syncedTableStatus } from "./status.ts";
import type { LakebaseNamesView } from "./types.ts";

export interface StatusReader {
  /** The three resources, from a snapshot at most `maxAgeMs` old; concurrent readers share one round of GETs. */
  read(maxAgeMs: number): Promise<ResourceSnapshot>;
  /** Epoch ms of the snapshot in hand, if any. */
  fetchedAt(): number | undefined;
  /** After a change of ours, the next read asks Databricks again. */
  invalidate(): void;
}

export function createStatusReader(
  api: LakebaseApi,
  names: LakebaseNamesView,
  cacheMs: number,
): StatusReader {
  const cache = createCache<ResourceSnapshot>({ name: "lakebase.status", ttlMs: cacheMs });
  const fetchSnapshot = async (): Promise<ResourceSnapshot> => {
    try {
      const [i, cat, t] = await Promise.all([
        api.getInstance(names.instanceName),
        api.getCatalog(names.catalogName),
        api.getSyncedTable(names.syncedTable),
      ]);
      return {
        instance: i ? instanceStatus(i) : null,
        catalog: cat ? catalogStatus(cat) : null,
        syncedTable: t ? syncedTableStatus(t) : null,
      };
    } catch (error) {
      throw fromDatabricks(error, "reading the Lakebase status failed");
    }
  };
  return {
    read: (maxAgeMs) => cache.get("snapshot", fetchSnapshot, { maxAgeMs }),
    fetchedAt: () => cache.peek("snapshot")?.at,
    invalidate: () => cache.clear(),
  };
}
