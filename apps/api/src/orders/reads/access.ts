import { preconditionFailed } from "../../errors/domain-error.ts";
import type { Identity } from "../../identity/identity.ts";
import type { ReadOptions } from "../types.ts";
import type { ChangeFeed } from "../writes/change-feed.ts";
import type { RecentWriters } from "../writes/recent-writers.ts";
import type { WriteToken } from "../writes/write-token.ts";
import type { UserReads } from "./as-user.ts";
import type { DataAvailability } from "./availability.ts";

export interface ReadAccessDeps {
  /** Throws SERVICE_UNAVAILABLE (with the reason) while the database is not ready. */
  availability(): Promise<DataAvailability>;
  recentWriters: Pick<RecentWriters, "isRecent" | "behind">;
  changes: Pick<ChangeFeed, "reach">;
  /** Null: every read runs as the app (ORDERS_READ_AS_USER=off, the default). */
  userReads: Pick<UserReads, "readerFor"> | null;
}

/**
 * The one decision before every orders read, whichever way it comes (the procedures, the CSV export):
 * whether the orders can be read now (SERVICE_UNAVAILABLE while the database is not ready,
 * PRECONDITION_FAILED while the synced table does not exist or is still syncing, with the reason, never a
 * 500), and for whom the primary: a caller who has just written must see it, and their replica may not have
 * it yet; and, when reads run as the user, that a signed-in user reads on their own connection (as-user.ts).
 * Where a read then runs (secondary, fallback) is the read path's (read-path.ts).
 */
export async function readAccess(
  deps: ReadAccessDeps,
  identity: Identity,
  userToken: string | null = null,
  written: WriteToken | null = null,
): Promise<ReadOptions> {
  const asUser = deps.userReads?.readerFor(identity, userToken) ?? null;
  const availability = await deps.availability();
  if (!availability.available) throw preconditionFailed(availability.reason);
  // Caught up to the caller's change first, so what this process keeps (overrides, counts) has it, and its
  // author is marked. A change that is not found (forged, or the database does not answer in time) says
  // nothing about where to read.
  const reached = written !== null && (await deps.changes.reach(written.seq));
  const fromPrimary =
    (reached && written.lsn !== null && deps.recentWriters.behind(written.lsn)) ||
    deps.recentWriters.isRecent(identity.actor);
  return asUser ? { fromPrimary, asUser } : { fromPrimary };
}
