import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { checkout } from "./clone.ts";
import { machinePath } from "./environment.ts";

/** An installed Node: the folder to put first on PATH, and its version. */
export interface NodeInstall {
  binDir: string;
  version: string;
}

function versionOf(node: string): string {
  return execFileSync(node, ["-p", "process.versions.node"], { encoding: "utf8" }).trim();
}

/**
 * A given Node release from the npm registry (the `node` package), kept in node_modules/.cache between
 * runs. npm comes from the machine's own PATH.
 */
export function nodeFromRegistry(version: string): NodeInstall {
  const prefix = path.join(checkout, "node_modules/.cache/newcomer", `node-${version}`);
  const binDir = path.join(prefix, "node_modules/.bin");
  if (!fs.existsSync(path.join(binDir, "node"))) {
    execFileSync(
      "npm",
      ["install", "--silent", "--no-audit", "--no-fund", "--no-save", "--prefix", prefix, `node@${version}`],
      {
        env: { ...process.env, PATH: machinePath() },
        stdio: ["ignore", "ignore", "inherit"],
        timeout: 300_000,
      },
    );
  }
  return { binDir, version: versionOf(path.join(binDir, "node")) };
}

/** The machine's own Node (first `node` on a PATH without project toolchains), if it has one. */
export function machineNode(): NodeInstall | undefined {
  for (const dir of machinePath().split(path.delimiter)) {
    const node = path.join(dir, "node");
    if (fs.existsSync(node)) return { binDir: dir, version: versionOf(node) };
  }
  return undefined;
}

/** The folder of the pnpm that runs these tests: a user without the bootstrap still has some pnpm. */
export function pnpmDir(): string {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, "pnpm"))) return dir;
  }
  throw new Error("no pnpm on PATH");
}

export function older(version: string, floor: string): boolean {
  const [a = 0, b = 0] = version.split(".").map(Number);
  const [c = 0, d = 0] = floor.split(".").map(Number);
  return a < c || (a === c && b < d);
}
