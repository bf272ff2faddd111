import type { PrismaClient } from "@lakebase-orders/db";
import type { StatusUpdate } from "../schemas.ts";
import type { SyncedTable } from "../tables.ts";
import {
  CHANGES_CHANNEL,
  type ChangeRow,
  COLUMNS,
  FEED_LOCK,
  fromRow,
  type OrderChange,
} from "./change-log.ts";

// A status change is ONE statement, committed by the server as it ends (issue 25's soak): the override, the
// history row, the feed's row and its NOTIFY. The feed's lock (numbers commit in order) is taken by the server
// after the order's own writes and released by the same statement's commit, so it is never held across a
// client round trip: on a loaded host, a client that answers slowly delays only itself. An interactive
// transaction (the previous design) held it from the change row to a COMMIT the client sent later, and 5
// changes a second queued past the lock's wait and Prisma's transaction timeout.
//
// Within the statement, order is by data dependency: the order's override row is locked (FOR UPDATE) before
// anything is written; the writes run before `written` counts them; the feed's lock is taken from `written`'s
// row, so after them; the feed's row is drawn under it. Holding the lock while waiting for another writer's
// row lock would queue every change behind one order, and this order rules it out. A concurrent first
// writer of the same order (no override row yet for either) makes the later INSERT fail on the key (23505)
// and change nothing; the caller runs the statement again, and it then finds the winner's row under the lock.
//
// A change whose connection was lost (a terminated backend, a failover) has an unknown outcome. Its write id
// makes one more attempt safe: if the first was committed, the second finds its feed row (`done`) and
// answers with it; if the first was still committing when the second began (not in the second's snapshot),
// the unique index refuses the second's row (23505, nothing changed) and a third attempt finds it.

/** How long a change waits for the feed's lock (other changes committing; each holds it for microseconds). */
const FEED_LOCK_WAIT_MS = 3000;

export interface StatusChangeInput {
  orderKey: number;
  status: string;
  /** Refuse (conflict) unless the order's status is this one. */
  expectedStatus?: string | undefined;
  actor: string;
  requestId: string | undefined;
  /** The change's time (the app's clock, as the history has always recorded it). */
  at: Date;
  /** A random id for this change, the same across its attempts: a second attempt applies it at most once. */
  writeId: string;
}

export type StatusChangeResult =
  | { kind: "committed"; update: StatusUpdate; change: OrderChange }
  | { kind: "not found" }
  | { kind: "conflict"; previousStatus: string };

interface ResultRow extends Partial<ChangeRow> {
  was: string | null;
}

export function statusChangeStatement(table: SyncedTable): string {
  return `WITH done AS (
      SELECT ${COLUMNS} FROM app_data.order_change WHERE write_id = $8::uuid
    ), synced AS (
      SELECT o.o_orderstatus AS status, o.o_orderdate::text AS day, o.o_orderpriority AS priority,
             o.o_totalprice::text AS price
        FROM ${table.sqlName} o WHERE o.o_orderkey = $1::bigint
    ), held AS (
      SELECT status FROM app_data.order_status WHERE order_key = $1::bigint FOR UPDATE
    ), state AS (
      SELECT s.*, COALESCE(h.status, s.status) AS was, h.status IS NOT NULL AS overridden
        FROM synced s LEFT JOIN held h ON true
    ), allowed AS (
      SELECT * FROM state WHERE NOT EXISTS (SELECT 1 FROM done) AND ($3::text IS NULL OR was = $3::text)
    ), removed AS (
      DELETE FROM app_data.order_status WHERE order_key = $1::bigint
         AND EXISTS (SELECT 1 FROM allowed WHERE overridden AND status = $2::text)
      RETURNING 1
    ), updated AS (
      UPDATE app_data.order_status
         SET status = $2::text, version = version + 1, updated_at = $5::timestamptz, updated_by = $4::text
       WHERE order_key = $1::bigint AND EXISTS (SELECT 1 FROM allowed WHERE overridden AND status <> $2::text)
      RETURNING 1
    ), created AS (
      INSERT INTO app_data.order_status (order_key, status, updated_at, updated_by)
      SELECT $1::bigint, $2::text, $5::timestamptz, $4::text FROM allowed WHERE NOT overridden AND status <> $2::text
      RETURNING 1
    ), logged AS (
      INSERT INTO app_data.order_status_history (order_key, previous_status, status, changed_at, changed_by, request_id)
      SELECT $1::bigint, was, $2::text, $5::timestamptz, $4::text, $6::text FROM allowed
      RETURNING 1
    ), written AS (
      SELECT (SELECT count(*) FROM removed) + (SELECT count(*) FROM updated) + (SELECT count(*) FROM created)
             + (SELECT count(*) FROM logged) AS n
        FROM allowed
    ), feed_lock AS (
      SELECT pg_advisory_xact_lock(${FEED_LOCK}) AS locked
        FROM (SELECT set_config('lock_timeout', '${FEED_LOCK_WAIT_MS}ms', true) AS budget FROM written WHERE n > 0) w
    ), recorded AS (
      INSERT INTO app_data.order_change
        (actor, order_key, previous_status, status, synced_status, order_date, priority, total_price, write_id)
      SELECT $4::text, $1::bigint, a.was, $2::text, a.status, a.day::date, a.priority, a.price::numeric, $8::uuid
        FROM allowed a, feed_lock
      RETURNING *
    ), listed AS (SELECT ${COLUMNS} FROM recorded),
    notified AS (SELECT pg_notify($7::text, json_build_object(
        'seq', listed.seq::bigint, 'at', listed.at, 'actor', listed.actor, 'orderKey', listed.order_key::bigint,
        'previousStatus', listed.previous_status, 'status', listed.status, 'syncedStatus', listed.synced_status,
        'orderDate', listed.order_date, 'priority', listed.priority, 'totalPrice', listed.total_price)::text)
      FROM listed)
    SELECT state.was, c.*, (SELECT count(*) FROM notified)::int AS notified
      FROM (SELECT 1) one LEFT JOIN state ON true
      LEFT JOIN (SELECT * FROM listed UNION ALL SELECT * FROM done) c ON true`;
}

/** Runs one status change (one statement, its own transaction); a failure changed nothing. */
export async function runStatusChange(
  prisma: Pick<PrismaClient, "$queryRawUnsafe">,
  statement: string,
  input: StatusChangeInput,
): Promise<StatusChangeResult> {
  const rows = await prisma.$queryRawUnsafe<ResultRow[]>(
    statement,
    String(input.orderKey),
    input.status,
    input.expectedStatus ?? null,
    input.actor,
    input.at.toISOString(),
    input.requestId ?? null,
    CHANGES_CHANNEL,
    input.writeId,
  );
  const row = rows[0];
  const committed = row?.seq !== null && row?.seq !== undefined;
  if (!row || (!committed && row.was === null)) return { kind: "not found" };
  if (!committed) return { kind: "conflict", previousStatus: row.was ?? "" };
  const change = fromRow(row as ChangeRow);
  return {
    kind: "committed",
    change,
    update: {
      orderKey: input.orderKey,
      status: input.status,
      previousStatus: change.previousStatus,
      updatedAt: input.at.toISOString(),
      updatedBy: input.actor,
    },
  };
}
