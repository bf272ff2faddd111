import { parseLsn, type ReplicaPosition } from "./replica-position.ts";

/**
 * Read-your-writes over a lagging replica: whoever has just changed an order reads from the primary until
 * the readable secondary has replayed that change, so the status they set, and its history, are there when
 * their next request asks, whichever worker or container serves it (the change feed tells every process who
 * wrote, and at which WAL position: change-feed.ts). Everyone else reads from the replica.
 * - With a position and a secondary that reports its replay position (a hot standby): until it has replayed
 *   past the position, however long it lags.
 * - Without either (a secondary that is not a standby, a position not known yet): for `windowMs`.
 */
export interface RecentWriters {
  /**
   * `actor` committed a change; `lsn` is the primary's WAL position at or past its commit, when known
   * (without one, the time window applies).
   */
  wrote(actor: string, lsn?: string): void;
  /** `actor` committed a change whose position is on its way (a later `wrote` brings it). */
  pending(actor: string): void;
  isRecent(actor: string): boolean;
  /**
   * Whether the secondary has yet to replay `lsn` (as last seen; it is asked again meanwhile): true before
   * its first answer; false when it cannot say (not a hot standby) or there is no secondary.
   */
  behind(lsn: string): boolean;
}

/** Where a writer's change stands, as the change feed tells it. */
export type WritePosition = { lsn: string } | "pending" | "unknown";

interface Mark {
  at: number;
  /** The highest position of the actor's changes; null: none known. */
  lsn: bigint | null;
  /** A change whose position is not known yet: recent until then (or this time). */
  unplacedUntil: number;
}

// However far behind the secondary is, nobody is kept on the primary longer (memory stays bounded too).
const MAX_MARK_MS = 10 * 60_000;
// A position is normally known within one round trip of the notification.
const UNPLACED_MS = 2_000;

export function createRecentWriters(
  windowMs: number,
  now: () => number = Date.now,
  replica?: ReplicaPosition,
): RecentWriters {
  const marks = new Map<string, Mark>();
  const markOf = (actor: string): Mark => {
    const t = now();
    // Bounded: expired marks go on every write, so the map holds only the writers still waited for.
    for (const [a, m] of marks) if (t - m.at > MAX_MARK_MS) marks.delete(a);
    const mark = marks.get(actor) ?? { at: t, lsn: null, unplacedUntil: 0 };
    mark.at = t;
    marks.set(actor, mark);
    return mark;
  };
  return {
    wrote(actor, lsn) {
      const mark = markOf(actor);
      mark.unplacedUntil = 0;
      if (lsn === undefined) return;
      const position = parseLsn(lsn);
      if (mark.lsn === null || position > mark.lsn) mark.lsn = position;
    },
    pending(actor) {
      const mark = markOf(actor);
      mark.unplacedUntil = mark.at + UNPLACED_MS;
    },
    isRecent(actor) {
      const mark = marks.get(actor);
      if (!mark) return false;
      const t = now();
      if (t - mark.at > MAX_MARK_MS) {
        marks.delete(actor);
        return false;
      }
      if (mark.unplacedUntil > t) return true;
      const replayed = mark.lsn === null || !replica ? null : replica.known();
      if (replayed === null || mark.lsn === null) {
        if (t < mark.at + windowMs) return true;
        marks.delete(actor);
        return false;
      }
      if (replayed !== undefined && replayed >= mark.lsn) {
        marks.delete(actor);
        return false;
      }
      replica?.refresh();
      return true;
    },
    behind(lsn) {
      if (!replica) return false;
      const replayed = replica.known();
      if (replayed === null) return false;
      if (replayed !== undefined && replayed >= parseLsn(lsn)) return false;
      replica.refresh();
      return true;
    },
  };
}
