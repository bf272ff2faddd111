import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The ids a root process gives PostgreSQL's processes (Node drops the supplementary groups). */
export interface OsIds {
  uid: number;
  gid: number;
}

export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * PostgreSQL refuses to run as root, so as root we run it as the `postgres` OS user, created here when
 * missing. Creation tolerates "already exists": several test workers may start clusters at once on a fresh
 * machine. Returns undefined when not root (PostgreSQL then runs as the current user).
 */
export async function postgresOsIds(): Promise<OsIds | undefined> {
  if (!runningAsRoot()) return undefined;
  let ids = await lookup();
  if (ids) return ids;
  await run("groupadd", ["-f", "postgres"]).catch(() => undefined);
  await run("useradd", ["-g", "postgres", "-M", "-s", "/usr/sbin/nologin", "postgres"]).catch(
    () => undefined,
  );
  ids = await lookup();
  if (!ids) {
    throw new Error(
      "pg-local: could not create the 'postgres' OS user that PostgreSQL needs when run as root",
    );
  }
  return ids;
}

async function lookup(): Promise<OsIds | undefined> {
  try {
    const [uid, gid] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return undefined;
  }
}
