import { type PrismaClient, retryRead } from "@lakebase-orders/db";
import { createCache } from "../../cache/cache.ts";
import { mapDbError } from "../db-errors.ts";
import type { SyncedTable } from "../tables.ts";

/**
 * Whether the orders can be read now, and if not, why (the reason reaches the client verbatim); `down`: the
 * database itself cannot answer for now (stopped, starting), rather than the data not being there yet.
 */
export type DataAvailability = { available: true } | { available: false; reason: string; down?: true };

/**
 * Default availability check: the synced table exists. Cached so that it costs nothing per request; an
 * absent table is re-checked sooner than a present one, so a finished sync shows up within a second.
 */
export function tableAvailability(
  prisma: PrismaClient,
  table: SyncedTable,
  options: { presentTtlMs?: number; absentTtlMs?: number } = {},
): () => Promise<DataAvailability> {
  const cache = createCache<DataAvailability>({
    name: "orders.availability",
    ttlMs: (v) => (v.available ? (options.presentTtlMs ?? 30_000) : (options.absentTtlMs ?? 1_000)),
  });
  const check = async (): Promise<DataAvailability> => {
    const rows = await retryRead(
      () =>
        prisma.$queryRaw<{ present: boolean }[]>`SELECT to_regclass(${table.sqlName}) IS NOT NULL AS present`,
    ).catch((error: unknown) => {
      throw mapDbError(error, table.fullName);
    });
    return rows[0]?.present
      ? { available: true }
      : {
          available: false,
          reason: `Orders data is not available yet: the synced table ${table.fullName} does not exist in the database (still syncing or not created).`,
        };
  };
  return () => cache.get("table", check);
}
