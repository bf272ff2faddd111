import fs from "node:fs/promises";
import type { OsIds } from "./os-user.ts";
import { type Blocked, firstBlockedDir } from "./reach.ts";

/** Overrides where a root-run PostgreSQL keeps what its OS user cannot reach in place. */
export const RUNTIME_DIR_ENV = "PG_LOCAL_RUNTIME_DIR";
const DEFAULT_RUNTIME_DIR = "/var/tmp/lakebase-orders-pg";

export function runtimeDirFromEnv(): string {
  return process.env[RUNTIME_DIR_ENV] || DEFAULT_RUNTIME_DIR;
}

/**
 * As root, PostgreSQL runs as the `postgres` OS user. A checkout under a folder that user cannot enter
 * (a 0700 home) holds binaries and data it cannot reach; they are then copied to / kept in this folder.
 * It must be root's alone (PostgreSQL's binaries are run from it) and reachable by the `postgres` user.
 */
export async function ensureRuntimeDir(dir: string, ids: OsIds, reaching: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  const stat = await fs.stat(dir);
  if (stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new Error(
      `pg-local: ${dir} must belong to root and be writable by root alone (PostgreSQL's binaries run from it); set ${RUNTIME_DIR_ENV} to another folder`,
    );
  }
  const blocked = await firstBlockedDir(dir, ids);
  if (blocked) throw unreachable(blocked, reaching, dir);
  return dir;
}

/** The one line a user reads when neither the checkout nor the runtime folder is reachable. */
export function unreachable(blocked: Blocked, reaching: string, runtimeDir: string): Error {
  return new Error(
    `pg-local: as root, PostgreSQL runs as the postgres OS user, which cannot enter ${blocked.dir} (mode ${blocked.mode}) to reach ${reaching}; set ${RUNTIME_DIR_ENV} to a folder it can enter (now ${runtimeDir}) or run \`chmod o+x ${blocked.dir}\``,
  );
}
