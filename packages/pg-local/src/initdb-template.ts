import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { Binaries } from "./binaries.ts";
import type { OsIds } from "./os-user.ts";

const run = promisify(execFile);

/**
 * A fast (throwaway) cluster starts from a copy of one initdb'd data directory instead of running initdb
 * itself: initdb takes seconds on a loaded machine (it boots a single-user server several times), a copy
 * of its ~40 MB result a fraction of that, and a test run starts some seventy clusters.
 *
 * The template is made once per binaries, initdb arguments and owner, beside the clusters that copy it
 * (same file system), under a name derived from all three: a cluster of other options never gets it.
 * It is made in a staging folder and renamed into place, so concurrent starts (test workers) never see
 * half of one; the loser of a race uses the winner's. Made with the final sync: it outlives the run.
 *
 * Every copy shares the template's system identifier (pg_control), as clusters made from one base backup
 * do; nothing here tells clusters apart by it (standbys and branches are base backups of their primary).
 */
export async function initialiseFromTemplate(
  dataDir: string,
  binaries: Binaries,
  ids: OsIds | undefined,
  /** Everything initdb's result depends on besides the binaries and the owner (its options, the password). */
  recipe: unknown,
  runInitdb: (dataDir: string) => Promise<void>,
): Promise<void> {
  const template = await ensureTemplate(path.dirname(dataDir), binaries, ids, recipe, runInitdb);
  // `dir/.` copies the contents into the (empty, already owned) data directory; -a keeps owners and modes.
  await run("cp", ["-a", `${path.join(template, "data")}/.`, dataDir]);
}

async function ensureTemplate(
  base: string,
  binaries: Binaries,
  ids: OsIds | undefined,
  recipe: unknown,
  runInitdb: (dataDir: string) => Promise<void>,
): Promise<string> {
  const owner = process.getuid?.() ?? -1;
  const key = createHash("sha256")
    .update(JSON.stringify([binaries.initdb, binaries.major, recipe, owner, ids?.uid ?? null]))
    .digest("hex")
    .slice(0, 16);
  const template = path.join(base, `pg-local-template-${key}`);
  if (await isOurs(template, owner)) return template;

  // Ours alone to write, enterable by the server's OS user (initdb runs as it, inside).
  const staging = `${template}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await fs.mkdir(staging, { mode: 0o755 });
    await fs.chmod(staging, 0o755);
    const data = path.join(staging, "data");
    await fs.mkdir(data, { mode: 0o700 });
    if (ids) await fs.chown(data, ids.uid, ids.gid);
    await runInitdb(data);
    await fs.rename(staging, template).catch((error: NodeJS.ErrnoException) => {
      // Another process made the same template first: use that one.
      if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
    });
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
  if (!(await isOurs(template, owner))) {
    throw new Error(`pg-local: the cluster template ${template} is not this user's alone; remove it`);
  }
  return template;
}

/** Present, complete, and writable by this user alone (nobody else sharing /tmp planted or changed it). */
async function isOurs(template: string, owner: number): Promise<boolean> {
  const stat = await fs.lstat(template).catch(() => undefined);
  if (!stat) return false;
  if (!stat.isDirectory() || (owner >= 0 && stat.uid !== owner) || (stat.mode & 0o022) !== 0) {
    throw new Error(`pg-local: the cluster template ${template} is not this user's alone; remove it`);
  }
  return fs.access(path.join(template, "data", "PG_VERSION")).then(
    () => true,
    () => false,
  );
}
