import type pg from "pg";
import { RateLimitedError } from "../http/guards/rate-limit.ts";

// Advisory lock namespaces (the two-int form: never the migrations' bigint key; views use 16, the index
// builds 881501).
const PER_CALLER = 26_001;
const SLOTS = 26_002;

/** Seconds a refused export is told to wait: a running one ends, or its caller cancels it, within seconds. */
export const EXPORT_RETRY_AFTER_SECONDS = 5;

/**
 * Admission of an export by the database it reads, across every worker and process of the app: in the
 * export's own transaction (before its COPY), one transaction-level advisory lock per caller and one of
 * `slots` shared slots. They end with the transaction, so an export that finishes, fails or is cancelled (its
 * connection closed) frees them: none can leak. Refused, it throws RateLimitedError (429 with Retry-After).
 */
export function exportAdmission(caller: string, slots: number): (client: pg.PoolClient) => Promise<void> {
  return async (client) => {
    const mine = await client.query<{ ok: boolean }>(
      "SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok",
      [PER_CALLER, caller],
    );
    if (!mine.rows[0]?.ok) throw alreadyRunning();
    // The first free slot, if any: the scan stops at the first lock taken, so it holds one slot at most.
    const slot = await client.query(
      "SELECT s FROM generate_series(0, $2::int - 1) s WHERE pg_try_advisory_xact_lock($1, s) LIMIT 1",
      [SLOTS, slots],
    );
    if (slot.rowCount === 0) throw atLimit();
  };
}

export const alreadyRunning = () =>
  new RateLimitedError(
    "You already have an export running: wait for it to finish, or cancel it, before starting another",
    EXPORT_RETRY_AFTER_SECONDS,
  );

export const atLimit = () =>
  new RateLimitedError(
    "The server is at its limit of exports running at once; retry shortly",
    EXPORT_RETRY_AFTER_SECONDS,
  );
