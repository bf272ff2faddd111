import fs from "node:fs";
import path from "node:path";
import { freePort } from "@lakebase-orders/pg-local";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, orderRowsShown } from "./browser.ts";
import { type FreshClone, freshClone, uncommittedChanges } from "./clone.ts";
import { newcomerEnv } from "./environment.ts";
import { readmeCommands } from "./readme.ts";
import { untilAnswers, untilOutput } from "./ready.ts";
import { Session } from "./session.ts";

let clone: FreshClone | undefined;
let browser: Browser;
const sessions: Session[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  for (const session of sessions) session.kill();
  await browser?.close();
  clone?.remove();
});

/** One run of the README's first command: started, ready on its web port, rows in Chromium, Ctrl-C. */
async function readmeRun(
  command: string,
  run: string,
  started: number,
): Promise<{ ready: number; seconds: number; rows: number; output: string }> {
  if (!clone) throw new Error("no clone");
  const web = await freePort();
  const api = await freePort();
  const session = new Session(command, {
    cwd: clone.dir,
    env: newcomerEnv({ WEB_PORT: String(web), API_PORT: String(api) }),
    logFile: path.join(clone.base, `${run}.log`),
  });
  sessions.push(session);
  // The API first: asking the web port earlier only makes Vite's proxy log refused connections.
  await untilAnswers(session, `http://127.0.0.1:${api}/api/ready`, 420_000);
  await untilAnswers(session, `http://127.0.0.1:${web}/api/ready`, 60_000);
  const ready = (Date.now() - started) / 1000;
  const rows = await orderRowsShown(browser, `http://127.0.0.1:${web}/`).catch((error: Error) => {
    throw session.failure(`Chromium saw no order rows: ${error.message}`);
  });
  const seconds = (Date.now() - started) / 1000;
  await session.interruptCleanly();
  return { ready, seconds, rows, output: session.output() };
}

describe("a fresh clone, the README's first command", () => {
  it("shows the orders in Chromium on spare ports, twice, and Ctrl-C leaves no process and no port", async () => {
    if (uncommittedChanges())
      console.warn("newcomer: uncommitted changes are not tested (a clone sees HEAD)");
    const cloned = Date.now();
    clone = freshClone("dev");
    const { first } = readmeCommands(fs.readFileSync(path.join(clone.dir, "README.md"), "utf8"));

    const one = await readmeRun(first, "first-run", cloned);
    expect(one.rows).toBeGreaterThan(0);
    // A quiet install: every dependency build script is decided in pnpm-workspace.yaml.
    expect(one.output).not.toMatch(/Ignored build scripts|approve-builds|^\s*WARN\b/m);
    // Never a token on the terminal, not even the local Lakebase's (its ready line is for the scripts).
    expect(one.output).not.toMatch(/workspaceToken|dapi[0-9a-f]{16}/);

    const two = await readmeRun(first, "second-run", Date.now());
    expect(two.rows).toBeGreaterThan(0);

    const s = (n: number) => `${n.toFixed(1)} s`;
    console.log(
      `newcomer: \`${first}\` on a fresh clone of ${clone.sha.slice(0, 7)}: first run (from git clone) ready ${s(one.ready)}, rows in Chromium ${s(one.seconds)}; second run (from its start) ready ${s(two.ready)}, rows ${s(two.seconds)}`,
    );
  });

  it("refuses data kept from PostgreSQL 18 in one line that says which folder to remove", async () => {
    if (!clone) throw new Error("the first test made no clone");
    const { first } = readmeCommands(fs.readFileSync(path.join(clone.dir, "README.md"), "utf8"));
    // What a checkout that ran `pnpm dev` before the move to PostgreSQL 16 holds.
    fs.writeFileSync(path.join(clone.dir, ".data/lakebase-local/pg/PG_VERSION"), "18\n");
    const session = new Session(first, {
      cwd: clone.dir,
      env: newcomerEnv({ WEB_PORT: String(await freePort()), API_PORT: String(await freePort()) }),
      logFile: path.join(clone.base, "postgres-18-data.log"),
    });
    sessions.push(session);
    const code = await session.finish(180_000);
    if (code !== 1) throw session.failure(`expected exit code 1, got ${code}`);
    const lines = session
      .output()
      .split("\n")
      .filter((line) => line.includes("PostgreSQL 18"));
    expect(lines, session.tail()).toEqual([
      "dev: .data/lakebase-local holds PostgreSQL 18 data, and the local Lakebase now runs PostgreSQL 16: remove it (`rm -rf .data/lakebase-local`) and the next start loads the orders afresh",
    ]);
    await session.interruptCleanly();
  });

  it("stops everything on Ctrl-C during the first start, while the orders are still loading", async () => {
    if (!clone) throw new Error("the first test made no clone");
    const { first } = readmeCommands(fs.readFileSync(path.join(clone.dir, "README.md"), "utf8"));
    fs.rmSync(path.join(clone.dir, ".data/lakebase-local"), { recursive: true, force: true });
    const session = new Session(first, {
      cwd: clone.dir,
      env: newcomerEnv({ WEB_PORT: String(await freePort()), API_PORT: String(await freePort()) }),
      logFile: path.join(clone.base, "interrupted-start.log"),
    });
    sessions.push(session);
    // The seed's database exists (an Autoscaling project by default, an instance with --flavor provisioned)
    // and its orders are not loaded yet.
    await untilOutput(session, /\[lakebase-local\] .*"event":"(project|instance)_created"/, 180_000);
    if (/local Lakebase ready/.test(session.output()))
      throw session.failure("the start was not interrupted early enough");
    await session.interruptCleanly();
  });
});
