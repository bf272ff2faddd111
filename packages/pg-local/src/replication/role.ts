import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { writeOwnedFile } from "../environment.ts";
import type { OsIds } from "../os-user.ts";
import { withClient } from "../with-client.ts";

/** The role standbys stream as: LOGIN REPLICATION, not a superuser (names starting pg_ are reserved). */
export const REPLICATION_USER = "pglocal_replicator";
/**
 * Its password lives in the data directory: a base backup carries it along with the role itself
 * (pg_authid is copied too), so a standby or branch of a branch knows the password of its parent's role.
 */
const PASSWORD_FILE = "pg_local_replication.secret";

export interface ReplicationRole {
  user: string;
  password: string;
}

/** Creates (or re-keys) the replication role of a running primary and makes sure pg_hba lets it in. */
export async function ensureReplicationRole(
  url: string,
  dataDir: string,
  ids: OsIds | undefined,
): Promise<ReplicationRole> {
  const file = path.join(dataDir, PASSWORD_FILE);
  let password = await fs.readFile(file, "utf8").then(
    (text) => text.trim(),
    () => "",
  );
  if (!password) {
    password = randomBytes(24).toString("hex");
    await writeOwnedFile(file, `${password}\n`, ids);
  }
  const hbaChanged = await ensureHbaLine(dataDir, ids);
  await withClient(url, async (c) => {
    const exists = await c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [REPLICATION_USER]);
    const verb = exists.rowCount ? "ALTER" : "CREATE";
    await c.query(
      `${verb} ROLE ${pg.escapeIdentifier(REPLICATION_USER)} WITH LOGIN REPLICATION NOSUPERUSER PASSWORD ${pg.escapeLiteral(password)}`,
    );
    if (hbaChanged) await c.query("SELECT pg_reload_conf()");
  });
  return { user: REPLICATION_USER, password };
}

/** The role of a copy (standby, branch): it came with the copied catalog and password file. */
export async function readReplicationRole(dataDir: string): Promise<ReplicationRole> {
  const password = (await fs.readFile(path.join(dataDir, PASSWORD_FILE), "utf8")).trim();
  return { user: REPLICATION_USER, password };
}

/**
 * initdb's pg_hba.conf already admits replication connections from 127.0.0.1 with a password; a cluster
 * whose file was edited since gets the line back. Returns whether the file changed.
 */
async function ensureHbaLine(dataDir: string, ids: OsIds | undefined): Promise<boolean> {
  const file = path.join(dataDir, "pg_hba.conf");
  const text = await fs.readFile(file, "utf8");
  const admits = text
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim().split(/\s+/))
    .some(
      ([type, database, user, address]) =>
        type === "host" &&
        database === "replication" &&
        (user === "all" || user === REPLICATION_USER) &&
        (address === "127.0.0.1/32" || address === "0.0.0.0/0"),
    );
  if (admits) return false;
  const line = `host    replication     ${REPLICATION_USER}    127.0.0.1/32    scram-sha-256\n`;
  await writeOwnedFile(file, `${text.endsWith("\n") ? text : `${text}\n`}${line}`, ids);
  return true;
}
