import type { Logger } from "@lakebase-orders/log";
import { createCache } from "../../cache/cache.ts";
import { describeFailure, fromDatabricks } from "../admin/failures.ts";
import type { DatabricksHealth } from "../admin/types.ts";
import type { ObservedSnapshot } from "./snapshot.ts";

export interface StatusReader {
  /** The three resources, from a snapshot at most `maxAgeMs` old; concurrent readers share one round of GETs. */
  read(maxAgeMs: number): Promise<ObservedSnapshot>;
  /**
   * The last snapshot Databricks gave, however old (kept through failures and `invalidate`); `invalidated`
   * when a change of ours came after it (until `acceptStale`).
   */
  last(): { snapshot: ObservedSnapshot; at: number; invalidated: boolean } | undefined;
  /** Serve the last snapshot as it is, though a change of ours came after it (Databricks does not answer). */
  acceptStale(): void;
  /** Starts a read in the background unless the last snapshot is younger than `maxAgeMs`; never throws. */
  refresh(maxAgeMs: number): void;
  /** How the last round of calls went: a throttled or failing API shows in the console, not as stalls. */
  health(): DatabricksHealth;
  /** Epoch ms of the snapshot in hand, if any. */
  fetchedAt(): number | undefined;
  /** After a change of ours, the next read asks Databricks again. */
  invalidate(): void;
}

/**
 * Caches and health around a flavour's status read (`fetch`: one round of Databricks GETs, e.g.
 * provisioned/snapshot-read.ts), which is all that differs between flavours.
 */
export function createStatusReader(
  fetch: () => Promise<ObservedSnapshot>,
  cacheMs: number,
  log?: Logger,
): StatusReader {
  const cache = createCache<ObservedSnapshot>({ name: "lakebase.status", ttlMs: cacheMs });
  let last: { snapshot: ObservedSnapshot; at: number } | undefined;
  let invalidatedAt = 0;
  let health: DatabricksHealth = { ok: true, error: null, failingSince: null, databricks: null };

  const fetchSnapshot = async (): Promise<ObservedSnapshot> => {
    try {
      const snapshot = await fetch();
      last = { snapshot, at: Date.now() };
      if (!health.ok) log?.info("databricks_status_recovered", { failingSince: health.failingSince });
      health = { ok: true, error: null, failingSince: null, databricks: null };
      return snapshot;
    } catch (error) {
      const failure = describeFailure(error);
      // One line when it starts failing (and the console shows it from then on), not one per poll.
      if (health.ok)
        log?.warn("databricks_status_failing", {
          error: failure.message,
          databricks: failure.databricks ?? null,
        });
      health = {
        ok: false,
        error: failure.message,
        failingSince: health.failingSince ?? new Date().toISOString(),
        databricks: failure.databricks ?? null,
      };
      throw fromDatabricks(error, "reading the Lakebase status failed");
    }
  };
  const read = (maxAgeMs: number) => cache.get("snapshot", fetchSnapshot, { maxAgeMs });
  return {
    read,
    last: () => (last ? { ...last, invalidated: last.at < invalidatedAt } : undefined),
    acceptStale() {
      invalidatedAt = 0;
    },
    refresh(maxAgeMs) {
      if (last && last.at > invalidatedAt && Date.now() - last.at < maxAgeMs) return;
      read(maxAgeMs).catch(() => undefined);
    },
    health: () => health,
    fetchedAt: () => cache.peek("snapshot")?.at ?? last?.at,
    invalidate() {
      invalidatedAt = Date.now();
      cache.clear();
    },
  };
}
