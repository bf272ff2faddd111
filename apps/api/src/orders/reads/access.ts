import { preconditionFailed, unavailable } from "../../errors/domain-error.ts";
import type { ReadOptions } from "../types.ts";
import type { RecentWriters } from "../writes/recent-writers.ts";
import type { DataAvailability } from "./availability.ts";

export interface ReadAccessDeps {
  /** Throws SERVICE_UNAVAILABLE (with the reason) while the database is not ready. */
  availability(): Promise<DataAvailability>;
  recentWriters: Pick<RecentWriters, "isRecent">;
}

/**
 * The one decision before every orders read, whichever way it comes (the procedures, the CSV export):
 * whether the orders can be read now (SERVICE_UNAVAILABLE while the database is not ready,
 * PRECONDITION_FAILED while the synced table does not exist or is still syncing, with the reason, never a
 * 500), and for whom the primary: a caller who has just written must see it, and their replica may not have
 * it yet. Where a read then runs (secondary, fallback) is the read path's (read-path.ts).
 */
export async function readAccess(deps: ReadAccessDeps, actor: string): Promise<ReadOptions> {
  const availability = await deps.availability();
  if (!availability.available) {
    throw availability.down ? unavailable(availability.reason) : preconditionFailed(availability.reason);
  }
  return { fromPrimary: deps.recentWriters.isRecent(actor) };
}
