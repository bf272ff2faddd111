import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Env } from "@lakebase-orders/config";

const API_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface ApiProcess {
  readonly url: string;
  readonly pid: number;
  /** Every JSON log line so far, parsed. */
  readonly logs: Record<string, unknown>[];
  /** Waits for a log line that matches. */
  waitForLog(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** SIGKILL: the process dies mid-work, as a crashed or evicted container does. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * The API as its own OS process (src/main.ts, the entry point of `pnpm start`), on a free port, with
 * `env` as its whole configuration: what a second replica or an overlapping deploy is.
 */
export async function startApiProcess(env: Env, label: string): Promise<ApiProcess> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: API_DIR,
    // One process per replica (no cluster workers unless `env` asks): these tests are about processes that
    // share nothing but the database; cluster/cluster.test.ts covers workers.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CLUSTER_WORKERS: "1",
      ...env,
      PORT: "0",
      HOST: "127.0.0.1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let buffer = "";
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    let nl = buffer.indexOf("\n");
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: "non-json", label, line });
      }
      for (const w of waiters) w();
      nl = buffer.indexOf("\n");
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const waitForLog = (match: (line: Record<string, unknown>) => boolean, timeoutMs = 30_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = logs.find(match);
        if (found) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(
            `${label}: no matching log line within ${timeoutMs} ms; last: ${JSON.stringify(logs.slice(-5))}`,
          ),
        );
      }, timeoutMs);
      waiters.add(check);
      void exited.then((code) => {
        if (waiters.has(check)) {
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`${label} exited (${code}); last: ${JSON.stringify(logs.slice(-5))}`));
        }
      });
      check();
    });

  const listening = await waitForLog((l) => l.msg === "listening");
  return {
    url: String(listening.url),
    pid: child.pid ?? -1,
    logs,
    waitForLog,
    async kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
