import { Prisma, type PrismaClient } from "@lakebase-orders/db";
import { conflict } from "../../errors/domain-error.ts";
import { orderNotFound } from "../db-errors.ts";
import type { HistoryOutput, StatusUpdate, UpdateStatusInput } from "../schemas.ts";
import { STATUS, type SyncedTable, tableSql } from "../tables.ts";
import type { Actor } from "../types.ts";
import { type OrderChange, pruneChanges, recordChange } from "./change-log.ts";

// Prisma's interactive transaction gives up after 5 s by default; a change may wait up to 3 s for the feed's
// lock (change-log.ts) on top of its own statements' budgets.
const TRANSACTION = { timeout: 10_000 };

/** A committed status change: what the caller gets, and what every process must learn (the change feed). */
export interface CommittedChange {
  update: StatusUpdate;
  change: OrderChange;
  /** The primary's WAL position at or past the commit (null: it could not be read; see recent-writers.ts). */
  lsn: string | null;
}

/**
 * Status changes go to the app's overlay (`app_data.order_status`) with a history row, never to the synced
 * table (read-only on Lakebase). One transaction per change; concurrent writers of one order serialise on
 * the overlay row, so `expectedStatus` and the history's `previousStatus` are exact. The same transaction
 * records the change in the feed (change-log.ts), so it reaches every process exactly when it commits and
 * never when it does not. An override that sets the synced status again is removed rather than kept: it
 * says nothing, and the source's later changes show from then on.
 */
export function createStatusWriter(
  prisma: PrismaClient,
  table: SyncedTable,
  options: { pruneEveryMs?: number; onPruneFailed?: (error: unknown) => void } = {},
) {
  const T = tableSql(table);
  const pruneEveryMs = options.pruneEveryMs ?? 60 * 60_000;
  let prunedAt = 0;
  const maybePrune = () => {
    if (Date.now() - prunedAt < pruneEveryMs) return;
    prunedAt = Date.now();
    // After the caller's change, never in its way: a failure waits for the next round.
    pruneChanges(prisma, table.sqlName).catch((error: unknown) => options.onPruneFailed?.(error));
  };

  const attempt = (input: UpdateStatusInput, by: Actor) =>
    prisma.$transaction(async (tx): Promise<Omit<CommittedChange, "lsn">> => {
      const key = BigInt(input.orderKey);
      const synced = await tx.$queryRaw<{ status: string; day: string; priority: string; price: string }[]>`
        SELECT o.o_orderstatus AS status, o.o_orderdate::text AS day, o.o_orderpriority AS priority,
               o.o_totalprice::text AS price
          FROM ${T} o WHERE o.o_orderkey = ${input.orderKey}`;
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
      let row: { status: string; updatedAt: Date; updatedBy: string };
      if (input.status === synced[0].status) {
        // Back to the synced status: the override goes (the history keeps the change).
        if (current[0]) await tx.orderStatus.delete({ where: { orderKey: key } });
        row = { status: input.status, updatedAt: now, updatedBy: by.actor };
      } else if (current[0]) {
        row = await tx.orderStatus.update({
          where: { orderKey: key },
          data: { status: input.status, version: { increment: 1 }, updatedAt: now, updatedBy: by.actor },
        });
      } else {
        row = await tx.orderStatus.create({
          data: { orderKey: key, status: input.status, updatedAt: now, updatedBy: by.actor },
        });
      }
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
      const change = await recordChange(tx, {
        actor: by.actor,
        orderKey: input.orderKey,
        previousStatus,
        status: input.status,
        syncedStatus: synced[0].status,
        orderDate: synced[0].day,
        priority: synced[0].priority,
        totalPrice: synced[0].price,
      });
      return {
        update: {
          orderKey: input.orderKey,
          status: row.status,
          previousStatus,
          updatedAt: row.updatedAt.toISOString(),
          updatedBy: row.updatedBy,
        },
        change,
      };
    }, TRANSACTION);

  return {
    /** Applies the change and resolves once it is committed; a failure changed nothing. */
    async updateStatus(input: UpdateStatusInput, by: Actor): Promise<CommittedChange> {
      let committed: Omit<CommittedChange, "lsn">;
      try {
        committed = await attempt(input, by);
      } catch (error) {
        // Two first-ever writers of one order: the loser hits the primary key; once more, it finds the
        // winner's row under the lock and is checked against it.
        if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
        committed = await attempt(input, by);
      }
      // Read after the commit, so at or past it: what a replica must have replayed to show the change. The
      // change is committed whatever happens here.
      const lsn = await prisma.$queryRaw<{ lsn: string }[]>`SELECT pg_current_wal_lsn()::text AS lsn`
        .then((rows) => rows[0]?.lsn ?? null)
        .catch(() => null);
      maybePrune();
      return { ...committed, lsn };
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
