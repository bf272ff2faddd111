import type { Prisma, PrismaClient } from "@lakebase-orders/db";
import type { Logger } from "../log.ts";

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

/**
 * Writes one row to app_data.admin_audit. A failed write is logged loudly but does not undo or hide the
 * action it describes: the Databricks side already happened, and the caller must learn its outcome.
 */
export function createAuditWriter(prisma: PrismaClient, logger: Logger): AuditWriter {
  return async (entry) => {
    try {
      await prisma.adminAudit.create({
        data: {
          actor: entry.actor,
          action: entry.action,
          input: toJson(entry.input),
          outcome: entry.outcome,
          detail: toJson(entry.detail),
          requestId: entry.requestId ?? null,
        },
      });
    } catch (error) {
      logger.error("admin audit write failed", { action: entry.action, actor: entry.actor, error });
    }
  };
}

function toJson(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}
