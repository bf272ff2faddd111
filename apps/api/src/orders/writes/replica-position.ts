import type pg from "pg";

/** How far the readable secondary has replayed the primary's WAL, as last seen. */
export interface ReplicaPosition {
  /**
   * The last replay position read; null when the secondary cannot say (it is not a hot standby: then
   * read-your-writes falls back to a time window); undefined before the first answer.
   */
  known(): bigint | null | undefined;
  /** Reads it again in the background, at most every `minIntervalMs`; nothing while nobody asks. */
  refresh(): void;
}

/**
 * The secondary's replay position, asked only while a writer waits for it (recent-writers.ts calls
 * `refresh` from reads): an idle app asks nothing.
 */
export function createReplicaPosition(
  pool: pg.Pool,
  options: { minIntervalMs?: number } = {},
): ReplicaPosition {
  const minIntervalMs = options.minIntervalMs ?? 100;
  let position: bigint | null | undefined;
  let askedAt = 0;
  let asking = false;
  return {
    known: () => position,
    refresh() {
      if (asking || Date.now() - askedAt < minIntervalMs) return;
      asking = true;
      askedAt = Date.now();
      pool
        .query<{ lsn: string | null }>("SELECT pg_last_wal_replay_lsn()::text AS lsn")
        .then(
          ({ rows }) => {
            const lsn = rows[0]?.lsn ?? null;
            position = lsn === null ? null : parseLsn(lsn);
          },
          // Unknown for now: the writers keep reading from the primary.
          () => undefined,
        )
        .finally(() => {
          asking = false;
        });
    },
  };
}

/** A pg_lsn's text ("16/B374D848") as a number that orders like it. */
export function parseLsn(lsn: string): bigint {
  const [hi = "0", lo = "0"] = lsn.split("/");
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}
