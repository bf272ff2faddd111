/** A WAL position as PostgreSQL prints it: two hex halves, `16/B374D848`. */
export type Lsn = string;

const LSN = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i;
const WAL_SEGMENT_BYTES = 16n * 1024n * 1024n;
const WAL_PAGE_BYTES = 8192n;
/** Headers a WAL page starts with: a long one on a segment's first page, a short one on the others. */
const LONG_PAGE_HEADER = 40n;
const SHORT_PAGE_HEADER = 24n;
const SEGMENTS_PER_XLOG_ID = 0x1_0000_0000n / WAL_SEGMENT_BYTES;

export function isLsn(text: string): boolean {
  return LSN.test(text);
}

export function parseLsn(lsn: Lsn): bigint {
  const match = LSN.exec(lsn);
  if (!match) throw new Error(`pg-local: ${JSON.stringify(lsn)} is not an LSN (like 16/B374D848)`);
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

export function formatLsn(position: bigint): Lsn {
  return `${(position >> 32n).toString(16).toUpperCase()}/${(position & 0xffff_ffffn).toString(16).toUpperCase()}`;
}

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function compareLsn(a: Lsn, b: Lsn): number {
  const d = parseLsn(a) - parseLsn(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** Bytes of WAL from `from` to `to` (negative when `to` is before `from`). */
export function walBytesBetween(from: Lsn, to: Lsn): number {
  return Number(parseLsn(to) - parseLsn(from));
}

/**
 * The part of a WAL file's name that orders it whatever its timeline (the last 16 of its 24 hex digits),
 * for the segment holding `lsn` (default 16 MiB segments, what initdb makes).
 */
export function segmentKey(lsn: Lsn): string {
  const segment = parseLsn(lsn) / WAL_SEGMENT_BYTES;
  const hi = (segment / SEGMENTS_PER_XLOG_ID).toString(16).toUpperCase().padStart(8, "0");
  const lo = (segment % SEGMENTS_PER_XLOG_ID).toString(16).toUpperCase().padStart(8, "0");
  return `${hi}${lo}`;
}

/**
 * pg_current_wal_insert_lsn() names the next record's start, which is past the page header when a page
 * has just begun; a replica's replay position names the last record's end, which is before it. Returns the
 * insert position in the second form, so that a caught-up replica compares equal.
 */
export function insertLsnAsEnd(lsn: Lsn): Lsn {
  const position = parseLsn(lsn);
  if (position % WAL_SEGMENT_BYTES === LONG_PAGE_HEADER) return formatLsn(position - LONG_PAGE_HEADER);
  if (position % WAL_PAGE_BYTES === SHORT_PAGE_HEADER) return formatLsn(position - SHORT_PAGE_HEADER);
  return lsn;
}

/** Where the WAL segment holding `lsn` ends (the next one starts). */
export function segmentEnd(lsn: Lsn): Lsn {
  const position = parseLsn(lsn);
  return formatLsn((position / WAL_SEGMENT_BYTES + 1n) * WAL_SEGMENT_BYTES);
}
