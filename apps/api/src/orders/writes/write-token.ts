import { parseLsn } from "./replica-position.ts";

/**
 * What a status change's answer tells its writer to present on their next reads (the `Orders-Write-Position`
 * header, or the cookie the SPA carries without knowing), so that read-your-writes holds in a container that
 * has not heard of the change yet: the change's number in the feed (`seq`: that container catches up to it
 * before it reads) and the primary's WAL position at or past its commit (`lsn`: reads go to the primary
 * until the secondary has replayed it). Text form: `42@16/B374D848`, or `42` when the position could not be
 * read.
 *
 * Nothing in it is secret or trusted: a forged token can only send its bearer's own reads to the primary (as
 * a constant writer's go) and make the container look for a change that is not there (one indexed query,
 * under the caller's rate limit).
 */
export interface WriteToken {
  seq: number;
  lsn: string | null;
}

const TOKEN = /^([0-9]{1,15})(?:@([0-9A-F]{1,8}\/[0-9A-F]{1,8}))?$/i;

/** Null when `text` is not a write token. */
export function parseWriteToken(text: string): WriteToken | null {
  const m = TOKEN.exec(text.trim());
  if (!m) return null;
  const seq = Number(m[1]);
  if (!Number.isSafeInteger(seq) || seq < 1) return null;
  return { seq, lsn: m[2]?.toUpperCase() ?? null };
}

export function formatWriteToken(token: WriteToken): string {
  return token.lsn === null ? String(token.seq) : `${token.seq}@${token.lsn}`;
}

/** The token that covers both: a reader presenting it sees every change either covered. */
export function laterToken(a: WriteToken | null, b: WriteToken | null): WriteToken | null {
  if (!a || !b) return a ?? b;
  const lsn =
    a.lsn === null ? b.lsn : b.lsn === null ? a.lsn : parseLsn(a.lsn) >= parseLsn(b.lsn) ? a.lsn : b.lsn;
  return { seq: Math.max(a.seq, b.seq), lsn };
}
