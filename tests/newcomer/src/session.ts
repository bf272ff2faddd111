import { spawn } from "node:child_process";
import fs from "node:fs";
import { isRunning, listeningPortsOf, type Proc, processTable, stillListening } from "./proc.ts";

export interface SessionOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where the command's output goes (kept for the failure message). */
  logFile: string;
}

/** What an interrupted session left behind: both empty when Ctrl-C cleaned up. */
export interface Leftovers {
  processes: string[];
  ports: number[];
}

/**
 * A shell command run as a user runs it in a terminal: `bash -c` in a process group of its own, so that
 * Ctrl-C can be sent to the group. Every process it starts (also those that leave the group or lose
 * their parent) and every port they listen on is recorded, to prove afterwards that none is left.
 */
export class Session {
  readonly command: string;
  readonly logFile: string;
  readonly pid: number;
  /** Resolves with the exit code (or signal) of the shell. */
  readonly exited: Promise<number | string>;
  readonly #seen = new Map<string, Proc>();
  readonly #ports = new Set<number>();
  readonly #timer: NodeJS.Timeout;
  #exitCode: number | string | undefined;

  constructor(command: string, options: SessionOptions) {
    this.command = command;
    this.logFile = options.logFile;
    const out = fs.openSync(options.logFile, "a");
    const child = spawn("bash", ["-c", command], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", out, out],
    });
    fs.closeSync(out);
    if (child.pid === undefined) throw new Error(`could not start bash for: ${command}`);
    this.pid = child.pid;
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.#exitCode = code ?? signal ?? "unknown";
        resolve(this.#exitCode);
      });
    });
    this.#timer = setInterval(() => this.#record(), 250);
    this.#record();
  }

  get running(): boolean {
    return this.#exitCode === undefined;
  }

  /** The command's last output lines, for failure messages. */
  tail(lines = 40): string {
    const text = fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, "utf8") : "";
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .slice(-lines)
      .join("\n");
  }

  output(): string {
    return fs.readFileSync(this.logFile, "utf8");
  }

  /** An error carrying the command's last output lines. */
  failure(message: string): Error {
    return new Error(`${message}\n--- last lines of \`${this.command}\` (${this.logFile}):\n${this.tail()}`);
  }

  /**
   * Ctrl-C: SIGINT to the process group, then waits until every recorded process has exited. Returns
   * what is still there after `graceMs` (and kills it, so one failure does not leak into the next test).
   */
  async interrupt(graceMs = 30_000): Promise<Leftovers> {
    this.#record();
    signalGroup(this.pid, "SIGINT");
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && this.#alive().length > 0) {
      await new Promise((r) => setTimeout(r, 200));
      this.#record();
    }
    clearInterval(this.#timer);
    const alive = this.#alive();
    const ports = stillListening(this.#ports);
    for (const proc of alive) signalPid(proc.pid, "SIGKILL");
    return { processes: alive.map((p) => `${p.pid} ${p.command}`), ports };
  }

  /** The exit code of a command expected to end by itself; a failure (with its output) if it does not. */
  async finish(timeoutMs: number): Promise<number | string> {
    const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), timeoutMs).unref());
    const code = await Promise.race([this.exited, timeout]);
    if (code === undefined) throw this.failure(`still running after ${timeoutMs / 1000} s`);
    return code;
  }

  /** Ctrl-C, and a failure (with the command's last lines) unless it left nothing behind. */
  async interruptCleanly(): Promise<void> {
    const left = await this.interrupt();
    if (left.processes.length > 0 || left.ports.length > 0) {
      throw this.failure(
        `Ctrl-C left processes [${left.processes.join("; ")}] and listening ports [${left.ports.join(", ")}]`,
      );
    }
  }

  /** Last resort for afterAll: kills whatever the session started. */
  kill(): void {
    clearInterval(this.#timer);
    signalGroup(this.pid, "SIGKILL");
    for (const proc of this.#alive()) signalPid(proc.pid, "SIGKILL");
  }

  #alive(): Proc[] {
    return [...this.#seen.values()].filter(isRunning);
  }

  /** Adds every process descending from the shell, or from any process recorded before (re-parented). */
  #record(): void {
    const table = processTable();
    const parents = new Set(this.#alive().map((p) => p.pid));
    if (this.running) parents.add(this.pid);
    let grew = true;
    while (grew) {
      grew = false;
      for (const proc of table.values()) {
        if (parents.has(proc.ppid) && !parents.has(proc.pid)) {
          parents.add(proc.pid);
          grew = true;
        }
      }
    }
    for (const pid of parents) {
      const proc = table.get(pid);
      if (proc) this.#seen.set(`${proc.pid}:${proc.start}`, proc);
    }
    for (const port of listeningPortsOf([...parents])) this.#ports.add(port);
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is gone.
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone.
  }
}
