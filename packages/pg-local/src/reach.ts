import type { Stats } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { OsIds } from "./os-user.ts";

/** A directory that the OS user cannot pass through, with its permission bits for the message. */
export interface Blocked {
  dir: string;
  mode: string;
}

/**
 * The first directory on the way to `target` that the given user may not enter (search permission), or
 * undefined when every existing directory from / down lets it through. Checked from the mode bits as the
 * kernel does for a process with exactly these uid and gid (ACLs aside): the owner's bits when it owns
 * the directory, else the group's when its group matches, else the others'.
 */
export async function firstBlockedDir(target: string, ids: OsIds): Promise<Blocked | undefined> {
  let dir = path.parse(path.resolve(target)).root;
  const parts = path.relative(dir, path.resolve(target)).split(path.sep).filter(Boolean);
  for (const part of ["", ...parts]) {
    dir = path.join(dir, part);
    let stat: Stats;
    try {
      stat = await fs.stat(dir);
    } catch {
      return undefined; // not created yet: whoever creates it decides its mode
    }
    if (!stat.isDirectory()) return undefined;
    if (!allows(stat, ids, 0o1)) return { dir, mode: (stat.mode & 0o777).toString(8).padStart(4, "0") };
  }
  return undefined;
}

function allows(stat: Stats, ids: OsIds, bit: number): boolean {
  if (stat.uid === ids.uid) return ((stat.mode >> 6) & bit) === bit;
  if (stat.gid === ids.gid) return ((stat.mode >> 3) & bit) === bit;
  return (stat.mode & bit) === bit;
}
