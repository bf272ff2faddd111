import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type Binaries, reachableBinaries } from "./binaries.ts";
import { type OsIds, postgresOsIds } from "./os-user.ts";
import { freePort, isPortFree } from "./ports.ts";
import { firstBlockedDir } from "./reach.ts";
import { ensureRuntimeDir, runtimeDirFromEnv } from "./runtime-dir.ts";

/** What every new cluster needs first: who runs PostgreSQL, which binaries, where unreachable data goes. */
export interface Environment {
  /** The `postgres` OS user's ids when we are root (PostgreSQL then runs as that user), else undefined. */
  ids: OsIds | undefined;
  binaries: Binaries;
  /** The runtime folder, made on first use, for `reaching` (named in the error when it is unreachable). */
  runtimeDir(reaching: string): () => Promise<string>;
}

export async function clusterEnvironment(runtimeDirOption: string | undefined): Promise<Environment> {
  const ids = await postgresOsIds();
  const requested = runtimeDirOption ?? runtimeDirFromEnv();
  const runtimeDir = (reaching: string) => () => ensureRuntimeDir(requested, ids!, reaching);
  const binaries = await reachableBinaries(ids, runtimeDir("PostgreSQL's binaries"));
  return { ids, binaries, runtimeDir };
}

/** The port to listen on: the one asked for (refused clearly when taken) or a free one. */
export async function choosePort(requested: number | undefined): Promise<number> {
  if (requested === undefined) return freePort();
  if (!(await isPortFree(requested))) {
    throw new Error(
      `pg-local: port ${requested} on 127.0.0.1 is already in use; choose another port or stop what uses it`,
    );
  }
  return requested;
}

/** The settings every cluster of ours runs with, on the postmaster's command line (never in its files). */
export function baseFlags(fast: boolean | undefined): string[] {
  const flags = [
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "max_connections=400",
    "-c",
    "unix_socket_directories=",
  ];
  if (fast) flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  return flags;
}

/**
 * The data directory to use. As root, a requested one that the `postgres` OS user cannot reach is kept in
 * the runtime folder instead, under a name derived from the requested path (so a restart finds it again).
 */
export async function placeDataDir(
  requested: string | undefined,
  env: Environment,
): Promise<{ dataDir: string; temporary: boolean }> {
  const { ids, runtimeDir } = env;
  if (requested === undefined) {
    let base = os.tmpdir();
    if (ids && (await firstBlockedDir(base, ids))) {
      base = path.join(await runtimeDir(`a temporary data directory in ${base}`)(), "tmp");
      await fs.mkdir(base, { recursive: true, mode: 0o755 });
    }
    return { dataDir: await fs.mkdtemp(path.join(base, "pg-local-")), temporary: true };
  }
  const dataDir = path.resolve(requested);
  const stat = await fs.stat(dataDir).catch(() => undefined);
  if (stat && !stat.isDirectory())
    throw new Error(`pg-local: data directory ${dataDir} is not usable: not a directory`);
  // The directory itself is given to the postgres user below; what matters is getting there.
  if (!ids || !(await firstBlockedDir(path.dirname(dataDir), ids))) return { dataDir, temporary: false };
  const key = createHash("sha256").update(dataDir).digest("hex").slice(0, 12);
  const base = path.join(await runtimeDir(`the data directory ${dataDir}`)(), "data");
  await fs.mkdir(base, { recursive: true, mode: 0o755 });
  return { dataDir: path.join(base, `${path.basename(dataDir)}-${key}`), temporary: false };
}

/** Makes `dir` (mode 0700) and gives it to the server's OS user: PostgreSQL insists on owning its folders. */
export async function claimDir(dir: string, ids: OsIds | undefined): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chmod(dir, 0o700);
  if (ids) await fs.chown(dir, ids.uid, ids.gid);
}

/** Writes a file the server's OS user owns (mode 0600), atomically: readers never see half of it. */
export async function writeOwnedFile(file: string, text: string, ids: OsIds | undefined): Promise<void> {
  const staging = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  await fs.writeFile(staging, text, { mode: 0o600 });
  if (ids) await fs.chown(staging, ids.uid, ids.gid);
  await fs.rename(staging, file);
}
