import { type ChildProcess, spawn } from "node:child_process";
import readline from "node:readline";

export interface Managed {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process and its group are gone. */
  readonly exited: Promise<number | string>;
}

const managed = new Set<Managed>();

/**
 * Spawns a child in its own process group so that stopping it also stops what it spawned (tsx watch,
 * vite, postgres), and prefixes its output so interleaved logs stay readable.
 */
export function run(
  name: string,
  command: string,
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    onLine?: (line: string) => void;
    /** Which lines to print (default: all). */
    show?: (line: string) => boolean;
  } = {},
): Managed {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    readline.createInterface({ input: stream }).on("line", (line) => {
      options.onLine?.(line);
      if (options.show?.(line) ?? true) process.stderr.write(`[${name}] ${line}\n`);
    });
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
    child.once("error", (error) => {
      process.stderr.write(`[${name}] failed to start: ${error.message}\n`);
      resolve("spawn-error");
    });
  });
  const entry: Managed = { name, child, exited };
  managed.add(entry);
  void exited.then(() => managed.delete(entry));
  return entry;
}

/** SIGTERM to every group, SIGKILL after the grace period: nothing is left behind. */
export async function stopAll(graceMs = 8000): Promise<void> {
  const entries = [...managed].reverse();
  for (const entry of entries) signalGroup(entry, "SIGTERM");
  const timer = setTimeout(() => {
    for (const entry of entries) signalGroup(entry, "SIGKILL");
  }, graceMs);
  await Promise.all(entries.map((e) => e.exited));
  clearTimeout(timer);
}

function signalGroup(entry: Managed, signal: NodeJS.Signals): void {
  const pid = entry.child.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

let stopping = false;

function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  process.stderr.write("\nstopping…\n");
  void stopAll().then(() => process.exit(code));
}

/** True once Ctrl-C (or a dying child) started the shutdown: a start-up step failing then is expected. */
export function isStopping(): boolean {
  return stopping;
}

/**
 * Ctrl-C / SIGTERM stop every managed group and then exit. Installed first, so that a Ctrl-C during
 * start-up (the first seed takes a while) leaves nothing running either.
 */
export function stopOnSignals(): void {
  process.on("SIGINT", () => stop(0));
  process.on("SIGTERM", () => stop(0));
}

/** Once everything is up: a child that exits on its own stops the rest, and the command exits non-zero. */
export function superviseExits(): void {
  for (const entry of managed) {
    void entry.exited.then((code) => {
      if (stopping) return;
      process.stderr.write(`[${entry.name}] exited (${code}); stopping the rest\n`);
      stop(1);
    });
  }
}
