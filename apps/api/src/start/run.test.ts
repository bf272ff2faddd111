// The process entry (`run`) with configuration files: a real child process, a real database, real logs.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const runModule = new URL("./run.ts", import.meta.url).href;
const SECRET = "dapi-never-logged-0123456789abcdef";
let database: TestDatabase;
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase("run_env_files");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "run-env-files-"));
});
afterAll(async () => {
  await database?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs `run(env, { envDir })` in a child until it exits; once it logs `listening` it is sent SIGTERM. */
function runApp(env: NodeJS.ProcessEnv): Promise<{ lines: string[]; code: number | null }> {
  const script = `const { run } = await import(${JSON.stringify(runModule)}); await run(process.env, { envDir: ${JSON.stringify(dir)} });`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    // One process: cluster workers re-run the main script, and a `-e` script has none.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CLUSTER_WORKERS: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no exit within 20 s:\n${lines.join("\n")}`));
    }, 20_000);
    const onData = (chunk: Buffer) => {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      if (lines.some((l) => l.includes('"msg":"listening"')) && child.exitCode === null)
        child.kill("SIGTERM");
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ lines, code });
    });
  });
}

describe("run with .env files", () => {
  it("starts from .env and .env.local under the real environment, logging names and never values", async () => {
    fs.writeFileSync(path.join(dir, ".env"), `LAKEBASE_PG_URL=${database.url}\nPORT=1\nLOG_LEVEL=debug\n`);
    fs.writeFileSync(path.join(dir, ".env.local"), `DATABRICKS_TOKEN=${SECRET}\nHOST=127.0.0.1\n`);
    // The real environment wins: port 0 (any free port), not the file's 1.
    const { lines } = await runApp({ PORT: "0" });
    const text = lines.join("\n");
    const read = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "configuration files read");
    expect(read).toEqual(
      expect.objectContaining({
        files: [path.join(dir, ".env"), path.join(dir, ".env.local")],
        variables: ["DATABRICKS_TOKEN", "HOST", "LAKEBASE_PG_URL", "LOG_LEVEL", "PORT"],
      }),
    );
    const listening = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "listening");
    expect(listening).toMatchObject({ host: "127.0.0.1" });
    expect(listening.port).not.toBe(1);
    // LOG_LEVEL=debug from the file took effect, and the token never appears.
    expect(text).not.toContain(SECRET);
    const password = new URL(database.url).password;
    if (password) expect(text).not.toContain(`:${password}@`);
  }, 30_000);

  it("a bad value in a file stops start-up naming the variable and the files, not the secret", async () => {
    fs.writeFileSync(path.join(dir, ".env"), "LAKEBASE_PG_URL=mysql://u:hunter2@h/db\n");
    fs.rmSync(path.join(dir, ".env.local"), { force: true });
    const { lines, code } = await runApp({});
    expect(code).toBe(1);
    const failed = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "start-up failed");
    expect(failed.error.message).toContain("LAKEBASE_PG_URL:");
    expect(failed.configurationFiles).toEqual([path.join(dir, ".env")]);
    expect(lines.join("\n")).not.toContain("hunter2");
  }, 30_000);
});
