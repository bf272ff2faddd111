import { type ChildProcess, spawn } from "node:child_process";
import readline from "node:readline";
import type { Binaries } from "./binaries.ts";
import type { OsIds } from "./os-user.ts";

export interface Postmaster {
  readonly pid: number | undefined;
  /** True once the server process has ended (stopped, or died on its own). */
  readonly exited: boolean;
  /** Fast shutdown (SIGINT), escalating if it hangs; resolves at once when the server already exited. */
  stop(): Promise<void>;
}

const READY = "database system is ready to accept connections";
/** What a server in recovery with hot_standby says once it is consistent and serves reads. */
const READY_READ_ONLY = "database system is ready to accept read-only connections";

export interface StartOptions {
  /**
   * Also count a server that serves reads only (a hot standby) as started. Off: wait until it accepts
   * writes (a recovery that ends in a promotion says so only once promoted).
   */
  readOnlyIsReady?: boolean;
}
const live = new Set<ChildProcess>();
let exitHook = false;

/** Runs initdb as the given OS user; rejects with its output when it fails or cannot be run at all. */
export async function initdb(
  binaries: Binaries,
  args: string[],
  ids: OsIds | undefined,
  onLog: (line: string) => void,
): Promise<void> {
  const child = spawnAs(binaries.initdb, args, ids, onLog);
  await new Promise<void>((resolve, reject) => {
    child.once("error", (error) => reject(cannotRun(binaries.initdb, error)));
    child.once("close", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`initdb failed (${code ?? signal})`)),
    );
  });
}

/** Starts the server and resolves once it accepts connections; rejects if it exits or cannot run first. */
export function startPostmaster(
  binaries: Binaries,
  args: string[],
  ids: OsIds | undefined,
  onLog: (line: string) => void,
  options: StartOptions = {},
): Promise<Postmaster> {
  let ready: () => void = () => undefined;
  const child = spawnAs(binaries.postgres, args, ids, (line) => {
    onLog(line);
    if (line.includes(READY) || (options.readOnlyIsReady && line.includes(READY_READ_ONLY))) ready();
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      live.delete(child);
      resolve();
    });
    child.once("error", () => {
      live.delete(child);
      resolve();
    });
  });
  installExitHooks();

  const postmaster: Postmaster = {
    pid: child.pid,
    get exited() {
      return child.exitCode !== null || child.signalCode !== null;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill("SIGINT");
      const quit = setTimeout(() => child.kill("SIGQUIT"), 15_000);
      const kill = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(quit);
      clearTimeout(kill);
    },
  };
  return new Promise((resolve, reject) => {
    ready = () => resolve(postmaster);
    child.once("error", (error) => reject(cannotRun(binaries.postgres, error)));
    child.once("exit", (code, signal) => reject(new Error(`the server exited (${code ?? signal})`)));
  });
}

const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * A process that ends without stop() must not leave a server behind. On exit (a crash, process.exit)
 * the servers get a fast shutdown request. On a signal the process does not handle itself (a test worker
 * being terminated), the same, and then the signal's default action; a process that handles the signal
 * (the local Lakebase CLI) shuts down in its own order, so it is left alone.
 */
function installExitHooks(): void {
  if (exitHook) return;
  exitHook = true;
  const shutDownAll = () => {
    for (const server of live) server.kill("SIGINT");
  };
  process.once("exit", shutDownAll);
  for (const signal of SIGNALS) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      shutDownAll();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function spawnAs(
  command: string,
  args: string[],
  ids: OsIds | undefined,
  onLine: (line: string) => void,
): ChildProcess {
  const child = spawn(command, args, {
    ...(ids ?? {}),
    // Messages in English whatever the user's locale: the readiness check reads one of them.
    env: { ...process.env, LC_ALL: "C", LC_MESSAGES: "C" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Kept reading for the server's whole life: a full pipe would block PostgreSQL's logging.
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) readline.createInterface({ input: stream }).on("line", onLine);
  }
  return child;
}

function cannotRun(command: string, error: NodeJS.ErrnoException): Error {
  return new Error(`could not run ${command} (${error.code ?? error.message})`);
}
