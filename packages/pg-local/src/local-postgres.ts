import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { type Binaries, reachableBinaries } from "./binaries.ts";
import { type OsIds, postgresOsIds } from "./os-user.ts";
import { freePort, isPortFree } from "./ports.ts";
import { initdb, type Postmaster, startPostmaster } from "./postmaster.ts";
import { firstBlockedDir } from "./reach.ts";
import { ensureRuntimeDir, runtimeDirFromEnv } from "./runtime-dir.ts";
import { withClient } from "./with-client.ts";

export interface LocalPostgresOptions {
  /** Data directory. Omitted: a fresh temporary directory, removed on stop (what tests want). */
  dataDir?: string;
  /** Port on 127.0.0.1. Omitted: a free port. */
  port?: number;
  /** Trade durability for speed (fsync off). Right for tests and throwaway dev data. */
  fast?: boolean;
  /** Receives PostgreSQL's own log lines. Default: dropped (they are kept for error messages). */
  onLog?: (line: string) => void;
  /**
   * As root only: where binaries and data go when the `postgres` OS user cannot reach them in place
   * (a checkout under a 0700 home). Default: $PG_LOCAL_RUNTIME_DIR, else /var/tmp/lakebase-orders-pg.
   */
  runtimeDir?: string;
}

export interface LocalPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Where the cluster lives (under the runtime folder when the requested one was out of reach). */
  readonly dataDir: string;
  /** pid of the postmaster, to prove that stop leaves nothing behind. */
  readonly pid: number | undefined;
  /** A connection URL for a database of this cluster (default `postgres`). */
  url(database?: string): string;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  /** Stops the server; removes the data directory when it was a temporary one. Idempotent. */
  stop(): Promise<void>;
}

const run = promisify(execFile);
const USER = "postgres";
const PASSWORD = "postgres";
const running = new Set<LocalPostgres>();

export async function startLocalPostgres(options: LocalPostgresOptions = {}): Promise<LocalPostgres> {
  const port = options.port ?? (await freePort());
  if (options.port !== undefined && !(await isPortFree(port))) {
    throw new Error(
      `pg-local: port ${port} on 127.0.0.1 is already in use; choose another port or stop what uses it`,
    );
  }
  const ids = await postgresOsIds();
  const requestedRuntimeDir = options.runtimeDir ?? runtimeDirFromEnv();
  const runtimeDir = (reaching: string) => () => ensureRuntimeDir(requestedRuntimeDir, ids!, reaching);
  const binaries = await reachableBinaries(ids, runtimeDir("PostgreSQL's binaries"));
  const { dataDir, temporary } = await placeDataDir(options.dataDir, ids, runtimeDir);

  const logs: string[] = [];
  const onLog = (line: string) => {
    logs.push(line);
    if (logs.length > 200) logs.shift();
    options.onLog?.(line);
  };
  const flags = [
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "max_connections=400",
    "-c",
    "unix_socket_directories=",
  ];
  if (options.fast)
    flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");

  let server: Postmaster | undefined;
  try {
    await prepareDataDir(dataDir, binaries, ids);
    const initialised = await exists(path.join(dataDir, "PG_VERSION"));
    if (!initialised) await initialise(dataDir, binaries, ids, onLog);
    server = await startPostmaster(binaries, ["-D", dataDir, "-p", String(port), ...flags], ids, onLog);
  } catch (error) {
    if (temporary) await fs.rm(dataDir, { recursive: true, force: true });
    if (error instanceof Error && error.message.startsWith("pg-local:")) throw error;
    const tail = logs.slice(-8).join("\n");
    throw new Error(
      `pg-local: PostgreSQL did not start (data dir ${dataDir}, port ${port}): ${describe(error, tail)}`,
    );
  }

  const postmaster = server;
  let stopped: Promise<void> | undefined;
  const handle: LocalPostgres = {
    host: "127.0.0.1",
    port,
    user: USER,
    password: PASSWORD,
    dataDir,
    pid: postmaster.pid,
    url: (database = "postgres") =>
      `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    createDatabase: async (name) => {
      await withClient(handle.url(), (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
    },
    dropDatabase: async (name) => {
      await withClient(handle.url(), (c) =>
        c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
      );
    },
    stop: () => {
      stopped ??= (async () => {
        running.delete(handle);
        await postmaster.stop();
        if (temporary) await fs.rm(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
  running.add(handle);
  return handle;
}

/** Stops every cluster this process started (an exit hook also signals them; this waits for them). */
export async function stopAllLocalPostgres(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

/**
 * The data directory to use. As root, a requested one that the `postgres` OS user cannot reach is kept in
 * the runtime folder instead, under a name derived from the requested path (so a restart finds it again).
 */
async function placeDataDir(
  requested: string | undefined,
  ids: OsIds | undefined,
  runtimeDir: (reaching: string) => () => Promise<string>,
): Promise<{ dataDir: string; temporary: boolean }> {
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

async function initialise(
  dataDir: string,
  binaries: Binaries,
  ids: OsIds | undefined,
  onLog: (line: string) => void,
): Promise<void> {
  // Beside the data directory: reachable by the server's user, and initdb wants the directory empty.
  const pwfile = path.join(path.dirname(dataDir), `.pg-local-pw-${randomBytes(6).toString("hex")}`);
  await fs.writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  try {
    if (ids) await fs.chown(pwfile, ids.uid, ids.gid);
    const args = [
      `--pgdata=${dataDir}`,
      "--auth=scram-sha-256",
      `--username=${USER}`,
      `--pwfile=${pwfile}`,
      "--encoding=UTF8",
      "--locale=C",
    ];
    await initdb(binaries, args, ids, onLog);
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
