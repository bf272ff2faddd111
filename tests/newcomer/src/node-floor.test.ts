import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkout, type FreshClone, freshClone } from "./clone.ts";
import { machinePath, newcomerEnv } from "./environment.ts";
import { machineNode, type NodeInstall, nodeFromRegistry, older, pnpmDir } from "./old-node.ts";

const FLOOR = "22.18";
// The last release without type stripping on by default; `node file.ts` fails there.
const TOO_OLD = "22.17.0";
const registryNode = nodeFromRegistry(TOO_OLD);
const systemNode = machineNode();
const olderNodes: NodeInstall[] = [registryNode];
if (systemNode && older(systemNode.version, FLOOR) && systemNode.version !== TOO_OLD)
  olderNodes.push(systemNode);

// Every command a new user may run that executes TypeScript with plain `node`.
const COMMANDS = [
  "pnpm dev",
  "pnpm start",
  "pnpm build",
  "pnpm test",
  "pnpm run postinstall",
  "pnpm --filter @lakebase-orders/db generate",
  "pnpm --filter @lakebase-orders/web build",
];

const clones: FreshClone[] = [];
const temporary: string[] = [];
afterAll(() => {
  for (const clone of clones) clone.remove();
  for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
});

function runWith(node: NodeInstall, command: string, cwd: string): { status: number | null; output: string } {
  const result = spawnSync("bash", ["-c", command], {
    cwd,
    env: newcomerEnv({ PATH: [node.binDir, pnpmDir(), machinePath()].join(path.delimiter) }),
    encoding: "utf8",
    timeout: 300_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The one line that says what to do, and no stack trace or Node internals. */
function expectOneLineAdvice(output: string, version: string): void {
  const advice = output
    .split("\n")
    .filter(
      (line) => line.includes(`needs Node >= ${FLOOR}`) && line.includes("run `. scripts/bootstrap.sh`"),
    );
  expect(advice, output).toHaveLength(1);
  expect(advice[0]).toContain(`this is ${version}`);
  expect(output).not.toMatch(/^\s+at /m);
  expect(output).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION|SyntaxError|TypeError|ERR_REQUIRE/);
}

describe.each(olderNodes.map((n) => [n.version, n] as const))("on Node %s", (version, node) => {
  it.each(COMMANDS)("`%s` prints one line: run the bootstrap", (command) => {
    const { status, output } = runWith(node, command, checkout);
    expect(status, output).not.toBe(0);
    expectOneLineAdvice(output, version);
  });

  // Once is enough (a clone and an install each): on the machine's own Node, where a new user starts.
  it.runIf(node === olderNodes.at(-1))(
    "`pnpm install` on a fresh clone installs, then its postinstall prints the same one line",
    () => {
      const clone = freshClone("old-node");
      clones.push(clone);
      const { status, output } = runWith(node, "pnpm install", clone.dir);
      expect(status, output).not.toBe(0);
      expectOneLineAdvice(output, version);
    },
  );
});

describe(`the bootstrap on Node ${TOO_OLD}`, () => {
  it(`installs a Node >= ${FLOOR} and the pinned pnpm into .tools/`, () => {
    // Only what the bootstrap reads: a checkout's package.json and the script.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "newcomer-bootstrap-"));
    temporary.push(root);
    fs.mkdirSync(path.join(root, "scripts"));
    fs.copyFileSync(path.join(checkout, "package.json"), path.join(root, "package.json"));
    fs.copyFileSync(path.join(checkout, "scripts/bootstrap.sh"), path.join(root, "scripts/bootstrap.sh"));
    const result = spawnSync(
      "bash",
      ["-c", '. scripts/bootstrap.sh && echo "node=$(node -p process.versions.node) pnpm=$(pnpm --version)"'],
      {
        cwd: root,
        env: newcomerEnv({ PATH: [registryNode.binDir, machinePath()].join(path.delimiter) }),
        encoding: "utf8",
        timeout: 300_000,
      },
    );
    const output = `${result.stdout}${result.stderr}`;
    expect(result.status, output).toBe(0);
    expect(output).toContain(`bootstrap: node ${TOO_OLD} is older than ${FLOOR}`);
    const installed = /node=(\S+) pnpm=(\S+)/.exec(output);
    expect(older(installed?.[1] ?? "0.0", FLOOR), output).toBe(false);
    const manifest = JSON.parse(fs.readFileSync(path.join(checkout, "package.json"), "utf8")) as {
      packageManager: string;
    };
    expect(`pnpm@${installed?.[2]}`).toBe(manifest.packageManager);
  });
});
