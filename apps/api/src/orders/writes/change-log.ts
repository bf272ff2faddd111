import type { Prisma } from "@lakebase-orders/db";
import type pg from "pg";

// The change feed's table (migration 20261206000000_order_change): one row per committed status change,
// numbered in commit order. Written inside the status change's transaction; read by every process to follow
// what others changed (change-feed.ts).

/** A committed status change, as every process learns it. */
export interface OrderChange {
  /** Its number in the feed: changes commit in this order, without gaps. */
  seq: number;
  /** ISO time of the change (the database's clock). */
  at: string;
  actor: string;
  orderKey: number;
  previousStatus: string;
  status: string;
  /** The synced table's status of the order when it changed (what the override moves it away from). */
  syncedStatus: string;
  /** The order's day (YYYY-MM-DD), priority and total price (numeric as text): where it counts. */
  orderDate: string;
  priority: string;
  totalPrice: string;
}

/** The channel of the fast path: NOTIFY with the change as JSON, delivered at commit. */
export const CHANGES_CHANNEL = "lakebase_orders_changes";

// Advisory lock space of the feed (two-int form; the orders maintenance uses class 881_501). A change takes it
// just before it draws its number and holds it until its commit, so numbers commit in order (status-change.ts).
export const FEED_LOCK = "881502, 0";

export const COLUMNS = `seq::text AS seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, actor,
  order_key::text AS order_key, previous_status, status, synced_status, order_date::text AS order_date, priority,
  total_price::text AS total_price`;

export interface ChangeRow {
  seq: string;
  at: string;
  actor: string;
  order_key: string;
  previous_status: string;
  status: string;
  synced_status: string;
  order_date: string;
  priority: string;
  total_price: string;
}

export const fromRow = (r: ChangeRow): OrderChange => ({
  seq: Number(r.seq),
  at: r.at,
  actor: r.actor,
  orderKey: Number(r.order_key),
  previousStatus: r.previous_status,
  status: r.status,
  syncedStatus: r.synced_status,
  orderDate: r.order_date,
  priority: r.priority,
  totalPrice: r.total_price,
});

/** A notification's payload as a change, or undefined when it is not one (another sender, a newer shape). */
export function parseChange(payload: string | undefined): OrderChange | undefined {
  if (!payload) return undefined;
  try {
    const c = JSON.parse(payload) as Partial<OrderChange>;
    return typeof c.seq === "number" &&
      typeof c.actor === "string" &&
      typeof c.orderKey === "number" &&
      typeof c.status === "string" &&
      typeof c.previousStatus === "string" &&
      typeof c.syncedStatus === "string" &&
      typeof c.orderDate === "string" &&
      typeof c.priority === "string" &&
      typeof c.totalPrice === "string"
      ? (c as OrderChange)
      : undefined;
  } catch {
    return undefined;
  }
}

export interface ChangesSince {
  changes: OrderChange[];
  /** The oldest change still kept (null: none): a reader whose last one is older has missed pruned ones. */
  oldest: number | null;
  /** The newest change committed (null: none yet). */
  newest: number | null;
  /** The primary's WAL position when they were read: at or past the commit of every change listed. */
  lsn: string;
}

/** Changes after `seq`, oldest first, at most `limit`; with the feed's bounds and the primary's WAL position. */
export async function changesSince(
  db: Pick<pg.ClientBase, "query">,
  seq: number,
  limit = 1000,
): Promise<ChangesSince> {
  // One statement: one round trip (the first request after a wake waits for this catch-up) and one snapshot
  // for the changes and the bounds. No change after `seq`: one row of bounds, its change columns null.
  const { rows } = await db.query<
    { [K in keyof ChangeRow]: ChangeRow[K] | null } & {
      oldest: string | null;
      newest: string | null;
      lsn: string;
    }
  >(
    `SELECT c.*, b.oldest, b.newest, b.lsn
       FROM (SELECT min(seq)::text AS oldest, max(seq)::text AS newest, ${WAL_POSITION_SQL} AS lsn
               FROM app_data.order_change) b
       LEFT JOIN LATERAL (SELECT seq AS ord, ${COLUMNS} FROM app_data.order_change
                           WHERE seq > $1 ORDER BY seq LIMIT $2) c ON true
      ORDER BY c.ord`,
    [seq, limit],
  );
  const b = rows[0];
  return {
    changes: rows.filter((r): r is typeof r & ChangeRow => r.seq !== null).map(fromRow),
    oldest: b?.oldest ? Number(b.oldest) : null,
    newest: b?.newest ? Number(b.newest) : null,
    lsn: b?.lsn ?? "0/0",
  };
}

/** The newest change number committed (0: none): moves with every status change. */
export async function feedHead(db: Pick<pg.ClientBase, "query">): Promise<string> {
  const { rows } = await db.query<{ seq: string }>(
    "SELECT COALESCE(max(seq), 0)::text AS seq FROM app_data.order_change",
  );
  return rows[0]?.seq ?? "0";
}

/**
 * The primary's WAL position that is at or past the commit record of everything committed before it is read:
 * the insert position. `pg_current_wal_lsn()` is the *write* position, which trails a commit that did not wait
 * for its WAL (`synchronous_commit = off`: a session's or the server's choice): a standby can replay
 * everything up to it, the change's own rows included, and still lack the commit (held back by an apply delay
 * or not yet received), and a writer measured against it would be sent to a secondary without their change.
 */
export const WAL_POSITION_SQL = "pg_current_wal_insert_lsn()::text";

/** The primary's WAL position now: at or past the commit of everything committed before this call. */
export async function walPosition(db: Pick<pg.ClientBase, "query">): Promise<string> {
  const { rows } = await db.query<{ lsn: string }>(`SELECT ${WAL_POSITION_SQL} AS lsn`);
  return rows[0]?.lsn ?? "0/0";
}

/**
 * Housekeeping after writes (at most hourly per process: status-writer.ts): changes older than a day go (a
 * process away longer starts over from the tables), and so do overrides that no longer say anything: ones
 * that agree with the synced status (the source has caught up; from then on its changes show) and ones of
 * orders the synced table no longer has (a key that comes back later must not inherit them). Neither moves
 * a figure, so neither is a change for the feed. Bounded per call.
 */
export async function pruneChanges(
  db: Pick<Prisma.TransactionClient, "$executeRawUnsafe">,
  syncedSql: string,
): Promise<number> {
  const changes = await db.$executeRawUnsafe(
    `DELETE FROM app_data.order_change WHERE seq IN (
       SELECT seq FROM app_data.order_change WHERE at < now() - interval '1 day' ORDER BY seq LIMIT 10000)`,
  );
  const overrides = await db.$executeRawUnsafe(
    `DELETE FROM app_data.order_status s WHERE s.order_key IN (
       SELECT s2.order_key FROM app_data.order_status s2 LEFT JOIN ${syncedSql} o ON o.o_orderkey = s2.order_key
        WHERE o.o_orderkey IS NULL OR o.o_orderstatus = s2.status LIMIT 10000)`,
  );
  return changes + overrides;
}
