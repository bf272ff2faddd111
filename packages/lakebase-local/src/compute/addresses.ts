import { createHash } from "node:crypto";

/**
 * The address every instance reports as `read_write_dns` (and `read_only_dns`): the front doors listen on
 * loopback only. The server certificate names it, so `sslmode=verify-full` holds for what clients are told.
 */
export const INSTANCE_HOST = "127.0.0.1";

/**
 * The address an instance with readable secondaries reports as `read_only_dns`: another loopback address,
 * so that clients reach the secondary on the same port as the primary (as on Lakebase, where only the
 * host differs). Linux routes all of 127/8 to loopback; where it does not (macOS), the read-only door
 * cannot bind and `read_only_dns` falls back to the primary's address.
 */
export const READ_ONLY_HOST = "127.0.0.2";

/**
 * Physical database for a logical one. Several LakebaseLocal may share one PostgreSQL cluster (the tests do),
 * so every name carries the owner's id; names longer than PostgreSQL's 63 bytes keep a hash suffix so two
 * long names never collide after truncation.
 */
export function physicalDatabaseName(localId: string, instance: string, database: string): string {
  const full = `lb_${localId}_${instance}_${database}`;
  if (full.length <= 63) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
  return `${full.slice(0, 54)}_${hash}`;
}
