import type { PrismaClient } from "@lakebase-orders/db";
import type { DataAvailability } from "../context.ts";
import { mapDbError } from "./db-errors.ts";
import type { SyncedTable } from "./synced-table.ts";

/**
 * Default availability check: the synced table exists. Cached so that it costs nothing per request; an
 * absent table is re-checked sooner than a present one, so a finished sync shows up within a second.
 */
export function tableAvailability(
  prisma: PrismaClient,
  table: SyncedTable,
  options: { presentTtlMs?: number; absentTtlMs?: number } = {},
): () => Promise<DataAvailability> {
  let cached: { value: DataAvailability; until: number } | undefined;
  let pending: Promise<DataAvailability> | undefined;
  const check = async (): Promise<DataAvailability> => {
    const rows = await prisma.$queryRaw<{ present: boolean }[]>`
      SELECT to_regclass(${table.sqlName}) IS NOT NULL AS present`.catch((error: unknown) => {
      throw mapDbError(error, table.fullName);
    });
    return rows[0]?.present
      ? { available: true }
      : {
          available: false,
          reason: `Orders data is not available yet: the synced table ${table.fullName} does not exist in the database (still syncing or not created).`,
        };
  };
  return async () => {
    if (cached && cached.until > Date.now()) return cached.value;
    pending ??= check().finally(() => {
      pending = undefined;
    });
    const value = await pending;
    const ttl = value.available ? (options.presentTtlMs ?? 30_000) : (options.absentTtlMs ?? 1_000);
    cached = { value, until: Date.now() + ttl };
    return value;
  };
}
