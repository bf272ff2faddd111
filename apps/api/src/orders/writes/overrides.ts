import type pg from "pg";
import { type Correction, dayNumber, KEY_BUCKET_BITS, PRICE_BUCKET } from "../rollup/rollup.ts";
import type { SyncedTable } from "../tables.ts";
import type { OrderChange } from "./change-log.ts";

/**
 * The status overrides as the rollup applies them (orders that an override moves away from their synced
 * status), kept in step with the change feed one change at a time: a status change costs every process a
 * few map operations, not a reload of every override (issue 25). A load from the tables is still the truth
 * (at start, and when the feed cannot vouch for what was missed); it records the feed number it reflects,
 * and changes delivered while it ran are applied on top.
 */
export interface Overrides {
  /** Reads every override from the tables. */
  load(): Promise<void>;
  /** One committed change (older news about an order than what is known is ignored). */
  apply(change: OrderChange): void;
  corrections(): Correction[];
  /** Moves whenever `corrections()` would answer differently. */
  version(): number;
  /** The newest feed number reflected (by the last load or a change applied since). */
  seen(): number;
}

interface Entry {
  correction: Correction | null;
  seq: number;
}

interface Row {
  seq: string;
  k: string | null;
  d: number | null;
  p: string | null;
  priority: string | null;
  synced: string | null;
  status: string | null;
  cents: string | null;
}

export function createOverrides(pool: Pick<pg.Pool, "query">, table: SyncedTable): Overrides {
  let byKey = new Map<number, Entry>();
  let loadedSeq = 0;
  let seenSeq = 0;
  let version = 0;
  let cached: Correction[] | undefined;
  // Changes applied while a load runs: the load may not include them.
  let during: OrderChange[] | null = null;

  const applyOne = (map: Map<number, Entry>, change: OrderChange): boolean => {
    const known = map.get(change.orderKey)?.seq ?? loadedSeq;
    if (change.seq <= known) return false;
    map.set(change.orderKey, { correction: correctionOf(change), seq: change.seq });
    seenSeq = Math.max(seenSeq, change.seq);
    return true;
  };

  return {
    async load() {
      during = [];
      try {
        // One statement, one snapshot: the overrides and the feed number they reflect agree.
        const { rows } = await pool.query<Row>(
          `WITH feed AS (SELECT COALESCE(max(seq), 0)::text AS seq FROM app_data.order_change)
           SELECT feed.seq, c.* FROM feed LEFT JOIN (
             SELECT s.order_key::text AS k, (o.o_orderdate - date '1970-01-01') AS d,
                    floor(o.o_totalprice / ${PRICE_BUCKET})::bigint::text AS p, o.o_orderpriority AS priority,
                    o.o_orderstatus AS synced, s.status, (o.o_totalprice * 100)::bigint::text AS cents
               FROM app_data.order_status s JOIN ${table.sqlName} o ON o.o_orderkey = s.order_key
              WHERE s.status <> o.o_orderstatus) c ON true`,
        );
        const seq = Number(rows[0]?.seq ?? 0);
        const next = new Map<number, Entry>();
        for (const r of rows) {
          if (r.k === null) continue;
          const key = Number(r.k);
          next.set(key, {
            seq,
            correction: {
              day: Number(r.d),
              priceBucket: Number(r.p),
              keyBucket: Math.floor(key / 2 ** KEY_BUCKET_BITS),
              priority: r.priority ?? "",
              synced: r.synced ?? "",
              status: r.status ?? "",
              cents: BigInt(r.cents ?? 0),
            },
          });
        }
        const late = during;
        byKey = next;
        loadedSeq = seq;
        seenSeq = Math.max(seenSeq, seq);
        for (const change of late) applyOne(byKey, change);
        version++;
        cached = undefined;
      } finally {
        during = null;
      }
    },
    apply(change) {
      during?.push(change);
      if (applyOne(byKey, change)) {
        version++;
        cached = undefined;
      }
    },
    corrections() {
      cached ??= [...byKey.values()].flatMap((e) => (e.correction ? [e.correction] : []));
      return cached;
    },
    version: () => version,
    seen: () => seenSeq,
  };
}

/** Where a change leaves its order: moved away from its synced status, or back on it (no correction). */
function correctionOf(change: OrderChange): Correction | null {
  if (change.status === change.syncedStatus) return null;
  return {
    day: dayNumber(change.orderDate),
    priceBucket: Math.floor(Number(change.totalPrice) / PRICE_BUCKET),
    keyBucket: Math.floor(change.orderKey / 2 ** KEY_BUCKET_BITS),
    priority: change.priority,
    synced: change.syncedStatus,
    status: change.status,
    cents: centsOf(change.totalPrice),
  };
}

/** An exact price ("1234.5", "1234.56") in cents, as the rollup sums them (numeric(18,2) times 100). */
function centsOf(price: string): bigint {
  const [whole = "0", fraction = ""] = price.split(".");
  const sign = whole.trim().startsWith("-") ? -1n : 1n;
  return BigInt(whole) * 100n + sign * BigInt(`${fraction}00`.slice(0, 2));
}
