import type { Prisma, PrismaClient } from "@lakebase-orders/db";
import type { Logger } from "@lakebase-orders/log";
import { isAppIdle } from "../../start/activity.ts";

export type AuditOutcome = "accepted" | "succeeded" | "failed" | "forbidden" | "rejected";

export interface AuditEntry {
  actor: string;
  action: string;
  input?: unknown;
  outcome: AuditOutcome;
  detail?: unknown;
  requestId?: string | null;
}

export interface AuditWriter {
  /** Records the entry: a JSON log line at once, the row now or, if the database cannot take it, later. */
  (entry: AuditEntry): Promise<void>;
  /** Writes the kept entries now (e.g. right after a new database was migrated). */
  flush(): Promise<void>;
  /** Entries kept for a later write. */
  pending(): number;
  /** Stops the background retries (the kept entries are in the log already). */
  close(): void;
}

export interface AuditWriterOptions {
  /** First pause before a background retry of kept entries (default 2 s), doubling up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

/** Entries kept while their database cannot be written (bounded: the JSON log line is the record of last resort). */
const MAX_PENDING = 500;

/**
 * Writes one row to app_data.admin_audit. A failed write is logged loudly but does not undo or hide the
 * action it describes: the Databricks side already happened, and the caller must learn its outcome.
 *
 * The audit table lives in the Lakebase database the admin actions create and delete, so some writes are
 * bound to fail (a delete's row once the instance is gone, a create's rows while it starts). Those entries
 * are kept with their original time and written before the next entry once the database answers again,
 * e.g. after the instance is recreated: the history then says who deleted it. One writer per process (its
 * queue lives as long as the process): it retries in the background with backoff, so the rows arrive once the
 * database answers even if no other admin action follows. Every entry is also a JSON log line at once.
 */
export function createAuditWriter(
  prisma: PrismaClient,
  logger: Logger,
  options: AuditWriterOptions = {},
): AuditWriter {
  const pending: { entry: AuditEntry; at: Date }[] = [];
  // One drain at a time: two concurrent actions must not write the same queued entry twice.
  let draining: Promise<void> = Promise.resolve();
  const baseRetryMs = options.retryMs ?? 2000;
  const maxRetryMs = options.maxRetryMs ?? 60_000;
  let retryMs = baseRetryMs;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const scheduleRetry = () => {
    if (closed || timer || pending.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      // Nobody uses the app: no query, so a scale-to-zero endpoint can suspend; the entries wait (they are in
      // the log already) and go in once the app is used again.
      if (isAppIdle()) return scheduleRetry();
      draining = draining.then(() => drain(null));
    }, retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, maxRetryMs);
  };

  const drain = async (trigger: AuditEntry | null): Promise<void> => {
    const before = pending.length;
    try {
      while (pending.length > 0) {
        const { entry, at } = pending[0]!;
        await prisma.adminAudit.create({
          data: {
            at,
            actor: entry.actor,
            action: entry.action,
            input: toJson(entry.input),
            outcome: entry.outcome,
            detail: toJson(entry.detail),
            requestId: entry.requestId ?? null,
          },
        });
        pending.shift();
      }
      retryMs = baseRetryMs;
      // Entries beyond the trigger were kept from earlier: say when they finally landed.
      if (before > (trigger ? 1 : 0)) logger.info("admin audit kept entries written", { written: before });
    } catch (error) {
      // The entry that did not go in (the oldest kept, shifted only once written), whether an action or the
      // retry timer brought it here.
      const stuck = pending[0]?.entry;
      logger.error("admin audit write failed; kept for retry", {
        action: stuck?.action ?? null,
        actor: stuck?.actor ?? null,
        pending: pending.length,
        retryInMs: retryMs,
        error,
      });
      scheduleRetry();
    }
  };

  const writer = (entry: AuditEntry): Promise<void> => {
    // The record of last resort, written before anything can fail (the logger redacts secrets).
    logger.info("admin_audit", { ...entry, requestId: entry.requestId ?? null });
    pending.push({ entry, at: new Date() });
    if (pending.length > MAX_PENDING) {
      const dropped = pending.shift()!;
      logger.error("admin audit entry dropped", { action: dropped.entry.action, actor: dropped.entry.actor });
    }
    draining = draining.then(() => drain(entry));
    return draining;
  };
  return Object.assign(writer, {
    flush: () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      draining = draining.then(() => drain(null));
      return draining;
    },
    pending: () => pending.length,
    close: () => {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  });
}

function toJson(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}
