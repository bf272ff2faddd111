import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "@lakebase-orders/pg-local";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, orderRowsShown } from "./browser.ts";
import { type FreshClone, freshClone } from "./clone.ts";
import { newcomerEnv } from "./environment.ts";
import { readmeCommands } from "./readme.ts";
import { untilAnswers } from "./ready.ts";
import { Session } from "./session.ts";

// As root, the clone sits in a private (0700) home, as in many containers: PostgreSQL runs as the
// `postgres` OS user, which cannot enter it, so its binaries and data must run from elsewhere.
const asRoot = process.getuid?.() === 0;
let clone: FreshClone;
let browser: Browser;
let runtimeDir: string;
const sessions: Session[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  // Where pg-local keeps what the postgres user cannot reach; the test's own, removed afterwards.
  runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), "newcomer-pg-runtime-"));
  fs.chmodSync(runtimeDir, 0o755);
});

afterAll(async () => {
  for (const session of sessions) session.kill();
  await browser?.close();
  clone?.remove();
  if (runtimeDir) fs.rmSync(runtimeDir, { recursive: true, force: true });
});

function start(command: string, name: string, env: NodeJS.ProcessEnv): Session {
  const session = new Session(command, {
    cwd: clone.dir,
    env: newcomerEnv({ PG_LOCAL_RUNTIME_DIR: path.join(runtimeDir, "pg"), ...env }),
    logFile: path.join(clone.base, `${name}.log`),
  });
  sessions.push(session);
  return session;
}

describe(`production mode on a fresh clone${asRoot ? " in a private home, as root" : ""}`, () => {
  it("`pnpm build && pnpm start` serves the SPA and the API; Ctrl-C leaves no process and no port", async () => {
    clone = freshClone("production", { privateHome: asRoot });
    const { setup, production } = readmeCommands(fs.readFileSync(path.join(clone.dir, "README.md"), "utf8"));
    const port = await freePort();
    const session = start(`${setup} && ${production}`, "production", { PORT: String(port) });
    const base = `http://127.0.0.1:${port}`;
    await untilAnswers(session, `${base}/api/ready`, 540_000);
    await untilAnswers(session, `${base}/`, 10_000, (html) => html.includes('<div id="root">'));
    const rows = await orderRowsShown(browser, `${base}/`).catch((error: Error) => {
      throw session.failure(`Chromium saw no order rows: ${error.message}`);
    });
    expect(rows).toBeGreaterThan(0);
    await session.interruptCleanly();
  });

  it.runIf(asRoot)(
    "with no folder the postgres user can reach, `pnpm dev` stops with one line naming the folder and the fix",
    async () => {
      const home = path.dirname(clone.dir);
      const session = start(". scripts/bootstrap.sh && pnpm dev", "private-runtime", {
        // Inside the private home too: nothing is left that the postgres user could enter.
        PG_LOCAL_RUNTIME_DIR: path.join(home, "pg-runtime"),
        WEB_PORT: String(await freePort()),
        API_PORT: String(await freePort()),
      });
      const code = await session.finish(180_000);
      if (code !== 1) throw session.failure(`expected exit code 1, got ${code}`);
      const lines = session
        .output()
        .split("\n")
        .filter((line) => line.includes("cannot enter"));
      expect(lines, session.tail()).toHaveLength(1);
      expect(lines[0]).toMatch(/^dev: pg-local: as root, PostgreSQL runs as the postgres OS user/);
      expect(lines[0]).toContain(`cannot enter ${home} (mode 0700)`);
      expect(lines[0]).toContain("set PG_LOCAL_RUNTIME_DIR to a folder it can enter");
      expect(lines[0]).toContain(`chmod o+x ${home}`);
      expect(session.output()).not.toMatch(/^\s+at /m);
      await session.interruptCleanly();
    },
  );
});
