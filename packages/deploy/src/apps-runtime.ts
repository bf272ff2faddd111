// What the Databricks Apps runtime does with a deployed folder, for the deploy rehearsals: copy it somewhere
// empty, `npm install`, then run app.yaml's command with app.yaml's env (a `valueFrom` filled in from the
// app's resources, as Apps does) plus the platform's variables, and nothing else from this process.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { plainNpmEnv } from "./build-app.ts";

const run = promisify(execFile);

export interface AppManifest {
  command: string[];
  env: ({ name: string; value: string } | { name: string; valueFrom: string })[];
}

/** Copies the built folder to a fresh directory and installs it as Apps does. */
export async function installLikeApps(folder: string): Promise<{ workdir: string; manifest: AppManifest }> {
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), "apps-rehearsal-"));
  fs.cpSync(folder, workdir, { recursive: true });
  await run("npm", ["install", "--no-audit", "--no-fund"], { cwd: workdir, env: plainNpmEnv() });
  const manifest = parse(fs.readFileSync(path.join(workdir, "app.yaml"), "utf8")) as AppManifest;
  return { workdir, manifest };
}

/**
 * app.yaml's env as Apps sets it: literals as written, `valueFrom: <key>` from the app resource of that key
 * (for a `postgres` resource, the endpoint's name). A key the app has no resource for fails the start, as
 * a deploy would.
 */
export function manifestEnv(
  manifest: AppManifest,
  resources: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of manifest.env) {
    if ("value" in entry) out[entry.name] = entry.value;
    else {
      const value = resources[entry.valueFrom];
      if (value === undefined)
        throw new Error(`app.yaml: ${entry.name} valueFrom ${entry.valueFrom}: no such resource`);
      out[entry.name] = value;
    }
  }
  return out;
}

export interface RunningApp {
  process: ChildProcess;
  output: string[];
  url: string;
  coldStartMs: number;
}

/** Runs app.yaml's command (no shell) with exactly `env`, and waits for /api/ready. */
export async function startLikeApps(
  workdir: string,
  manifest: AppManifest,
  env: NodeJS.ProcessEnv,
  url: string,
): Promise<RunningApp> {
  const [command, ...args] = manifest.command;
  const output: string[] = [];
  const started = performance.now();
  const child = spawn(command!, args, { cwd: workdir, env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited (${child.exitCode}):\n${output.join("")}`);
    const ok = await fetch(`${url}/api/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${url}/api/ready not ready within 30 s:\n${output.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { process: child, output, url, coldStartMs: performance.now() - started };
}
