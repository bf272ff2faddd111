import type { Prisma, PrismaClient } from "@lakebase-orders/db";
import type { Logger } from "@lakebase-orders/log";

export type AuditOutcome = "accepted" | "succeeded" | "failed" | "forbidden" | "rejected";

export interface AuditEntry {
  actor: string;
  action: string;
  input?: unknown;
  outcome: AuditOutcome;
  detail?: unknown;
  requestId?: string | null;
}

export type AuditWriter = (entry: AuditEntry) => Promise<void>;

/** Entries kept while their database cannot be written (bounded: the JSON log line is the record of last resort). */
const MAX_PENDING = 500;

/**
 * Writes one row to app_data.admin_audit. A failed write is logged loudly but does not undo or hide the
 * action it describes: the Databricks side already happened, and the caller must learn its outcome.
 *
 * The audit table lives in the Lakebase database the admin actions create and delete, so some writes are
 * bound to fail (a delete's row once the instance is gone, a create's rows while it starts). Those entries
 * are kept with their original time and written before the next entry once the database answers again,
 * e.g. after the instance is recreated: the history then says who deleted it.
 */
export function createAuditWriter(prisma: PrismaClient, logger: Logger): AuditWriter {
  const pending: { entry: AuditEntry; at: Date }[] = [];
  // One drain at a time: two concurrent actions must not write the same queued entry twice.
  let draining: Promise<void> = Promise.resolve();

  const drain = async (trigger: AuditEntry): Promise<void> => {
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
    } catch (error) {
      logger.error("admin audit write failed; kept for retry", {
        action: trigger.action,
        actor: trigger.actor,
        pending: pending.length,
        error,
      });
    }
  };

  return (entry) => {
    pending.push({ entry, at: new Date() });
    if (pending.length > MAX_PENDING) {
      const dropped = pending.shift()!;
      logger.error("admin audit entry dropped", { action: dropped.entry.action, actor: dropped.entry.actor });
    }
    draining = draining.then(() => drain(entry));
    return draining;
  };
}

function toJson(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}
