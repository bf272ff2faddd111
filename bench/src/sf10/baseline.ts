// The API as it was at a git ref, runnable beside this checkout (the "before" of a bench run): its sources
// from `git archive`, this checkout's installed packages linked in, the workspace's own packages pointing at
// the baseline's sources. The same technique as the telemetry bench's `--baseline` (bench/telemetry.ts).
import { execSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export interface BaselineTree {
  /** The tree's root directory. */
  dir: string;
  /** The commit it holds (short). */
  sha: string;
}

/** The sources at `ref` in a temporary directory (kept and reused per commit). */
export function baselineTree(ref: string): BaselineTree {
  const sha = execSync(`git rev-parse --short ${ref}`, { cwd: root, encoding: "utf8" }).trim();
  const dir = path.join(os.tmpdir(), `lakebase-orders-baseline-${sha}`);
  if (fs.existsSync(path.join(dir, ".linked"))) return { dir, sha };
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  execSync(`git archive ${sha} | tar -x -C ${dir}`, { cwd: root });
  const packageDirs = [".", "apps/api", "apps/web", "bench", ...["packages", "tests"].flatMap(listDirs)];
  for (const sub of packageDirs) {
    const modules = path.join(root, sub, "node_modules");
    if (fs.existsSync(modules) && fs.existsSync(path.join(dir, sub))) {
      linkModules(modules, path.join(dir, sub, "node_modules"), dir);
    }
  }
  // Prisma's generated client is gitignored: generated from the baseline's own schema.
  const db = path.join(dir, "packages/db");
  execSync("node scripts/prisma.ts generate", {
    cwd: db,
    stdio: "ignore",
    env: { ...process.env, PATH: `${path.join(db, "node_modules/.bin")}:${process.env.PATH ?? ""}` },
  });
  fs.writeFileSync(path.join(dir, ".linked"), sha);
  return { dir, sha };
}

function listDirs(parent: string): string[] {
  return fs.readdirSync(path.join(root, parent)).map((d) => path.join(parent, d));
}

function linkModules(from: string, to: string, tree: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from)) {
    const source = path.join(from, entry);
    const stat = fs.lstatSync(source);
    if (entry.startsWith("@") && stat.isDirectory() && !stat.isSymbolicLink()) {
      linkModules(source, path.join(to, entry), tree);
      continue;
    }
    let real: string;
    try {
      real = fs.realpathSync(source);
    } catch {
      continue; // a dangling link
    }
    const inWorkspace = real.startsWith(`${root}/`) && !real.includes(`${path.sep}node_modules${path.sep}`);
    fs.symlinkSync(inWorkspace ? path.join(tree, path.relative(root, real)) : real, path.join(to, entry));
  }
}
