// The API of one source tree (this checkout, or a baseline's) as its own process, from source (`node --import
// tsx src/main.ts`, the same way for "before" and "after"), its JSON log lines kept for the bench to read.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import readline from "node:readline";
import { freePort } from "@lakebase-orders/pg-local";

export interface BenchApi {
  url: string;
  logs: Record<string, unknown>[];
  /** Resolves with the first log line that matches (rejects after `timeoutMs`). */
  waitForLog(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs: number,
  ): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startApiFrom(treeDir: string, env: Record<string, string>): Promise<BenchApi> {
  const port = await freePort();
  const apiDir = path.join(treeDir, "apps/api");
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: apiDir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      CLUSTER_WORKERS: "1",
      LOG_LEVEL: "info",
      RATE_LIMIT_READS_PER_MINUTE: "0",
      RATE_LIMIT_WRITES_PER_MINUTE: "0",
      MIGRATIONS_DIR: path.join(treeDir, "packages/db/prisma/migrations"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on("line", (line) => {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: "non-json", line });
      }
      for (const w of waiters) w();
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`the API exited with ${child.exitCode}: ${JSON.stringify(logs.slice(-5))}`);
    }
    if (
      await fetch(`${url}/api/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the API was not ready within 180 s: ${JSON.stringify(logs.slice(-5))}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    logs,
    waitForLog: (match, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = logs.find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching log line within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    stop,
  };
}
