import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { Binaries } from "./binaries.ts";
import {
  ClusterHandle,
  type ClusterSpec,
  LogTail,
  liveClusters,
  PASSWORD,
  removeClusterFiles,
  startServer,
  USER,
} from "./cluster-handle.ts";
import { baseFlags, choosePort, clusterEnvironment, placeDataDir } from "./environment.ts";
import { initialiseFromTemplate } from "./initdb-template.ts";
import type { OsIds } from "./os-user.ts";
import { initdb } from "./postmaster.ts";
import { prepareReplicationHome, replicationFlags } from "./replication/home.ts";
import { ensureReplicationRole } from "./replication/role.ts";
import type { LocalPostgres, LocalPostgresOptions } from "./types.ts";

export type {
  ClusterState,
  LocalPostgres,
  LocalPostgresOptions,
  ReplicationOptions,
  ReplicationSource,
} from "./types.ts";

const run = promisify(execFile);

export async function startLocalPostgres(options: LocalPostgresOptions = {}): Promise<LocalPostgres> {
  const port = await choosePort(options.port);
  const env = await clusterEnvironment(options.runtimeDir);
  const { ids, binaries } = env;
  const { dataDir, temporary } = await placeDataDir(options.dataDir, env);
  const log = new LogTail(options.onLog);
  const spec: ClusterSpec = {
    dataDir,
    temporary,
    port,
    ids,
    binaries,
    flags: baseFlags(options.fast),
    log,
    home: undefined,
  };

  try {
    await prepareDataDir(dataDir, binaries, ids);
    const initialised = await exists(path.join(dataDir, "PG_VERSION"));
    if (!initialised) await initialise(dataDir, binaries, ids, log.push, options.fast === true, temporary);
    if (options.replication) {
      const replication = options.replication === true ? {} : options.replication;
      spec.home = await prepareReplicationHome(dataDir, temporary, replication, ids);
      spec.flags.push(...replicationFlags(spec.home));
    }
    const postmaster = await startServer(spec, false);
    const role = spec.home
      ? await ensureReplicationRole(urlOf(port), dataDir, ids).catch(async (error) => {
          await postmaster.stop();
          throw error;
        })
      : undefined;
    return new ClusterHandle(spec, postmaster, role);
  } catch (error) {
    await removeClusterFiles(spec);
    if (error instanceof Error && error.message.startsWith("pg-local:")) throw error;
    throw new Error(
      `pg-local: PostgreSQL did not start (data dir ${dataDir}, port ${port}): ${describe(error, log.tail())}`,
    );
  }
}

/** Stops every cluster this process started (an exit hook also signals them; this waits for them). */
export async function stopAllLocalPostgres(): Promise<void> {
  await Promise.all([...liveClusters].map((p) => p.stop()));
}

function urlOf(port: number): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

async function initialise(
  dataDir: string,
  binaries: Binaries,
  ids: OsIds | undefined,
  onLog: (line: string) => void,
  fast: boolean,
  temporary: boolean,
): Promise<void> {
  const options = ["--auth=scram-sha-256", `--username=${USER}`, "--encoding=UTF8", "--locale=C"];
  // A fast cluster in a fresh temporary directory is throwaway: it starts from a copy of a template made
  // once (with initdb's final sync: the template outlives the run).
  if (fast && temporary) {
    await initialiseFromTemplate(dataDir, binaries, ids, { options, password: PASSWORD }, (into) =>
      runInitdb(into, binaries, ids, onLog, options),
    );
    return;
  }
  // A fast cluster runs with fsync off: flushing its fresh files to disk first would buy nothing (seconds
  // on a loaded disk).
  await runInitdb(dataDir, binaries, ids, onLog, fast ? [...options, "--no-sync"] : options);
}

async function runInitdb(
  dataDir: string,
  binaries: Binaries,
  ids: OsIds | undefined,
  onLog: (line: string) => void,
  options: string[],
): Promise<void> {
  // Beside the data directory: reachable by the server's user, and initdb wants the directory empty.
  const pwfile = path.join(path.dirname(dataDir), `.pg-local-pw-${randomBytes(6).toString("hex")}`);
  await fs.writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  try {
    if (ids) await fs.chown(pwfile, ids.uid, ids.gid);
    await initdb(binaries, [`--pgdata=${dataDir}`, `--pwfile=${pwfile}`, ...options], ids, onLog);
  } finally {
    await fs.rm(pwfile, { force: true });
  }
}

/**
 * Checks the directory before PostgreSQL would fail on it with a less readable message: creatable,
 * empty or a cluster of this major version, not in use. As root, gives it to the `postgres` OS user
 * (recursively for a kept cluster: an earlier machine's `postgres` user may have had another uid).
 */
async function prepareDataDir(dir: string, binaries: Binaries, ids: OsIds | undefined): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.access(dir, fsConstants.W_OK | fsConstants.R_OK);
  } catch (error) {
    throw new Error(`pg-local: data directory ${dir} is not usable: ${(error as Error).message}`);
  }
  const entries = await fs.readdir(dir);
  if (entries.length > 0 && !entries.includes("PG_VERSION")) {
    throw new Error(
      `pg-local: data directory ${dir} is not empty and holds no PostgreSQL cluster; use an empty directory`,
    );
  }
  if (entries.length > 0) {
    const version = (await fs.readFile(path.join(dir, "PG_VERSION"), "utf8")).trim();
    if (version !== String(binaries.major)) {
      throw new Error(
        `pg-local: data directory ${dir} holds a PostgreSQL ${version} cluster, which PostgreSQL ${binaries.major} cannot open; delete it (\`rm -rf ${dir}\`) or use another data directory`,
      );
    }
  }
  const pid = await fs.readFile(path.join(dir, "postmaster.pid"), "utf8").then(
    (text) => Number.parseInt(text.split("\n")[0] ?? "", 10),
    () => undefined,
  );
  if (pid && isAlive(pid)) {
    throw new Error(
      `pg-local: data directory ${dir} is in use by a running PostgreSQL (pid ${pid}); stop it first`,
    );
  }
  // PostgreSQL insists on 0700 (or 0750) and on owning its directory.
  await fs.chmod(dir, 0o700).catch(() => undefined);
  if (!ids) return;
  const chown = entries.length > 0 ? ["-R", `${ids.uid}:${ids.gid}`, dir] : [`${ids.uid}:${ids.gid}`, dir];
  await run("chown", chown).catch((error: Error) => {
    throw new Error(`pg-local: could not give ${dir} to the postgres OS user: ${error.message}`);
  });
}

function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function describe(error: unknown, logTail: string): string {
  const message =
    error instanceof Error ? error.message : error === undefined ? "the server exited" : String(error);
  return logTail ? `${message}\n${logTail}` : message;
}
