import { Prisma, type PrismaClient } from "@lakebase-orders/db";
import { conflict } from "../../errors/domain-error.ts";
import { orderNotFound } from "../db-errors.ts";
import type { HistoryOutput, StatusUpdate, UpdateStatusInput } from "../schemas.ts";
import { STATUS, type SyncedTable, tableSql } from "../tables.ts";
import type { Actor } from "../types.ts";

/**
 * Status changes go to the app's overlay (`app_data.order_status`) with a history row, never to the synced
 * table (read-only on Lakebase). One transaction per change; concurrent writers of one order serialise on
 * the overlay row, so `expectedStatus` and the history's `previousStatus` are exact.
 */
export function createStatusWriter(prisma: PrismaClient, table: SyncedTable) {
  const T = tableSql(table);

  const attempt = (input: UpdateStatusInput, by: Actor) =>
    prisma.$transaction(async (tx): Promise<StatusUpdate> => {
      const key = BigInt(input.orderKey);
      const synced = await tx.$queryRaw<{ status: string }[]>`
        SELECT o.o_orderstatus AS status FROM ${T} o WHERE o.o_orderkey = ${input.orderKey}`;
      if (!synced[0]) throw orderNotFound(input.orderKey);
      const current = await tx.$queryRaw<{ status: string }[]>`
        SELECT status FROM ${STATUS} WHERE order_key = ${key} FOR UPDATE`;
      const previousStatus = current[0]?.status ?? synced[0].status;
      if (input.expectedStatus !== undefined && input.expectedStatus !== previousStatus) {
        throw conflict(
          `Order ${input.orderKey} has status ${previousStatus}, not the expected ${input.expectedStatus}; reload and retry.`,
        );
      }
      const now = new Date();
      const row = current[0]
        ? await tx.orderStatus.update({
            where: { orderKey: key },
            data: { status: input.status, version: { increment: 1 }, updatedAt: now, updatedBy: by.actor },
          })
        : await tx.orderStatus.create({
            data: { orderKey: key, status: input.status, updatedAt: now, updatedBy: by.actor },
          });
      await tx.orderStatusHistory.create({
        data: {
          orderKey: key,
          previousStatus,
          status: input.status,
          changedAt: now,
          changedBy: by.actor,
          requestId: by.requestId,
        },
      });
      return {
        orderKey: input.orderKey,
        status: row.status,
        previousStatus,
        updatedAt: row.updatedAt.toISOString(),
        updatedBy: row.updatedBy,
      };
    });

  return {
    async updateStatus(input: UpdateStatusInput, by: Actor): Promise<StatusUpdate> {
      try {
        return await attempt(input, by);
      } catch (error) {
        // Two first-ever writers of one order: the loser hits the primary key; once more, it finds the
        // winner's row under the lock and is checked against it.
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
          return attempt(input, by);
        }
        throw error;
      }
    },

    /** The order's status changes, newest first; `db` is the primary for a caller who just wrote. */
    async history(db: PrismaClient, orderKey: number): Promise<HistoryOutput> {
      const [synced, changes] = await Promise.all([
        db.$queryRaw<{ one: number }[]>`SELECT 1 AS one FROM ${T} o WHERE o.o_orderkey = ${orderKey}`,
        db.orderStatusHistory.findMany({
          where: { orderKey: BigInt(orderKey) },
          orderBy: [{ changedAt: "desc" }, { id: "desc" }],
        }),
      ]);
      if (synced.length === 0) throw orderNotFound(orderKey);
      return {
        orderKey,
        changes: changes.map((c) => ({
          status: c.status,
          previousStatus: c.previousStatus,
          changedAt: c.changedAt.toISOString(),
          changedBy: c.changedBy,
        })),
      };
    },
  };
}
